# granularity: cpu.hash at c = PUs, efficiency (tasks/s over c x serial
# tasks/s of the same size) vs the serial time of one task, log x, one line
# per runner variant; 1 is ideal, the dashed line is 5% below it.
# Data: one block per series: task time (s), median, CI low, CI high.
# `xtics` carries its labels ("2 µs", "20 ms").
set logscale x 10
set xrange [xmin:xmax]
eval "set xtics (".xtics.")"
unset mxtics
set yrange [0:(yhi > 1.15 ? yhi : 1.15)]
set ytics 0.1
set format y "%.1f"
set xlabel "task duration (serial time per task)"
set ylabel "efficiency (1 = c x serial)"
set arrow 1 from xmin, 1 to xmax, 1 nohead linecolor rgb "#999999" linewidth 1
set arrow 2 from xmin, 0.95 to xmax, 0.95 nohead linecolor rgb "#999999" linewidth 1 dashtype 2
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
