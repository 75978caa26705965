# share-WORKLOAD-cC: mixed work (mix.*) at one concurrency c, median
# throughput vs the CPU share of each task, one line per contestant, on a
# log x axis with 0% at the far left; in grey the ideal for c tasks on all
# PUs (solid) and on one CPU, as under a GIL that threads or loops share
# (dashed).
# Data: one block per series: share (%, 0 drawn at xtics' "0%"), median,
# CI low, CI high (tasks/s); then the two ideal curves: share, tasks/s.
set logscale x 10
set xrange [xmin:xmax]
eval "set xtics (".xtics.")"
unset mxtics
eval set_y_axis
set xlabel "CPU share of each task (log scale; 0% at the left)"
set ylabel "throughput (tasks/s)"
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot data index n using 1:2 with lines linecolor rgb "#9a9a9a" linewidth 1.2 title "ideal, all PUs", \
       data index (n+1) using 1:2 with lines linecolor rgb "#9a9a9a" linewidth 1.2 dashtype 2 title "ideal, one CPU", \
       for [i=1:n] data index (i-1) using ($1*dodge(i)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) title sname(i)
  set output
}
