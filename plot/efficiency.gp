# efficiency-WORKLOAD: tasks completed per CPU-second (user + system of all
# workers) vs concurrency, one line per runner.
# Data: one block per runner: c, median, CI low, CI high (tasks/CPU-s).
eval set_conc_axis
eval set_y_axis
set ylabel "tasks per CPU-second"
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
