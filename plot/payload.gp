# payload: comm.payload, bytes moved per second (2 x payload x tasks/s)
# vs payload size at one concurrency, one line per runner, log-log.
# Data: one block per runner: payload, median, CI low, CI high (bytes/s).
# `xtics` carries its labels ("64 B", "64 KiB").
set logscale x 2
set xrange [xmin:xmax]
eval "set xtics (".xtics.")"
unset mxtics
eval set_y_axis
set xlabel "payload per task, each way"
set ylabel "data moved (in + out)"
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
