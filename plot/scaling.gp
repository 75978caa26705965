# scaling-WORKLOAD: median throughput vs concurrency, one line per runner;
# serial (c = 1 only) as a dashed horizontal line with its CI as a band.
# Data: one block per runner: c, median, CI low, CI high (tasks/s).
# Reads: data, out, xmin, xmax, xtics, ylo, yhi, ytics, logy, serial,
# serial_y, serial_lo, serial_hi, serial_color, and the common variables.
eval set_conc_axis
eval set_y_axis
set ylabel "throughput (tasks/s)"
set samples 2
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  if (serial) {
    plot '+' using 1:(serial_lo):(serial_hi) with filledcurves fillcolor rgb serial_color fillstyle transparent solid 0.08 noborder notitle, \
         serial_y with lines linecolor rgb serial_color dashtype (10,6) linewidth 1.2 title "serial (c = 1)", \
         for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  } else {
    plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  }
  set output
}
