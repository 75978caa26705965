# latency-WORKLOAD: p50 (solid, filled points) and p99 (dashed, open points)
# task latency vs concurrency, one colour per runner.
# Data: one block per runner: c, p50, CI low, CI high, p99, CI low, CI high
# (seconds). Reads: data, out, xmin, xmax, xtics, ylo, yhi, ytics, logy, and
# the common variables.
eval set_conc_axis
eval set_y_axis
set ylabel "task latency"
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype 1 pointtype spoint(i) title sname(i), \
       for [i=1:n] data index (i-1) using ($1*dodge(i)):5:6:7 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype (12,8) pointtype spoint(i)-1 notitle, \
       keyentry with lines linecolor rgb '#404040' linewidth LW dashtype 1 title "p50", \
       keyentry with lines linecolor rgb '#404040' linewidth LW dashtype (12,8) title "p99"
  set output
}
