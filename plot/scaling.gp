# scaling-WORKLOAD: median throughput vs concurrency, one line per runner;
# the reference (serial, c = 1 only) as a dashed horizontal line with its CI
# as a band. Data: one block per runner: c, median, CI low, CI high (tasks/s).
# Reads: data, out, xmin, xmax, xtics, ylo, yhi, ytics, logy, reference (1
# when there is one), ref_y, ref_lo, ref_hi, ref_color, ref_title, and the
# common variables.
eval set_conc_axis
eval set_y_axis
set ylabel "throughput (tasks/s)"
set samples 2
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  if (reference) {
    plot '+' using 1:(ref_lo):(ref_hi) with filledcurves fillcolor rgb ref_color fillstyle transparent solid 0.08 noborder notitle, \
         ref_y with lines linecolor rgb ref_color dashtype (10,6) linewidth 1.2 title ref_title, \
         for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  } else {
    plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  }
  set output
}
