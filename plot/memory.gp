# memory: memory of a life.idle trial (Pss of the trial process and all its
# descendants, every worker alive) vs concurrency, one line per runner; the
# slope of each line is the memory one more idle worker costs (the note
# names it).
# Data: one block per runner: c, median, CI low, CI high (bytes).
eval set_conc_axis
eval set_y_axis
set xlabel "concurrency c (idle workers alive at once)"
set ylabel "memory of the trial (c idle workers)"
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
