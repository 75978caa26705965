# compare: NEW/BASE ratio of every compared cell (rows, first on top) with
# its bootstrap 95% CI, coloured by verdict; regressions on a shaded band.
# Data columns: row, ratio, CI low, CI high, colour (0xRRGGBB), regression
# (0/1), cell name, verdict. Reads: data, out, n, regrows (the rows of
# regressions), xmin, xmax, threshold, metric, lmargin, names ('|' between
# the verdicts of the legend), colors, and the common variables.
set logscale x 2
set xrange [xmin:xmax]
set yrange [0.3:n+0.7]
set xlabel sprintf("NEW / BASE %s", metric)
set ytics scale 0,0 nomirror font FONT.",12"
set xtics nomirror
set format x "%g×"
set grid noytics
set key outside right top vertical Left reverse samplen 1 spacing 1.3
set lmargin lmargin
# The i-th verdict of the legend ('|' apart: they hold spaces).
verdict(i) = i == 1 ? (strstrt(names, "|") ? names[1:strstrt(names, "|")-1] : names) : verdict_rest(names[strstrt(names, "|")+1:], i-1)
verdict_rest(s, i) = i == 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|")-1] : s) : verdict_rest(s[strstrt(s, "|")+1:], i-1)
do for [r in regrows] {
  set object rectangle from graph 0, first (r+0)-0.5 to graph 1, first (r+0)+0.5 behind fillcolor rgb '#fbe3d6' fillstyle solid 1.0 noborder
}
set arrow 1 from 1, graph 0 to 1, graph 1 nohead linecolor rgb '#404040' linewidth 1
set arrow 2 from 1-threshold, graph 0 to 1-threshold, graph 1 nohead linecolor rgb '#D55E00' dashtype (8,6)
set arrow 3 from 1+threshold, graph 0 to 1+threshold, graph 1 nohead linecolor rgb '#0072B2' dashtype (8,6)
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot data using 2:1:3:4:5:yticlabels(7) with xerrorbars linecolor rgb variable pointtype 7 pointsize 1.4 linewidth LW notitle, \
       for [i=1:words(colors)] keyentry with points linecolor rgb word(colors, i) pointtype 7 pointsize 1.4 title verdict(i)
  set output
}
