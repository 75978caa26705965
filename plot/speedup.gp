# speedup-WORKLOAD: median throughput over serial's median vs concurrency,
# one line per runner, with the ideal: min(c, PUs) for CPU work, c for waits.
# Data: one block per runner: c, speedup, CI low, CI high.
# Reads: data, out, xmin, xmax, xtics, ylo, yhi, ytics, logy, cpu_bound (1
# for a workload whose tasks each keep a PU busy), pus, and the common
# variables.
eval set_conc_axis
eval set_y_axis
set ylabel "speedup over serial"
ideal(x) = x < 1 ? NaN : cpu_bound ? (x < pus ? x : pus) : x
ideal_title = cpu_bound ? sprintf("ideal: min(c, %d PUs)", pus) : "ideal: c"
set samples 400
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot ideal(x) with lines linecolor rgb '#888888' dashtype (10,6) linewidth 1.2 title ideal_title, \
       1 with lines linecolor rgb '#000000' dashtype (4,4) linewidth 1 title "serial = 1", \
       for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
