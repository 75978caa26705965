# winners: workloads (rows) x concurrency (columns), each cell filled with
# the colour of the runner whose median throughput is highest, labelled with
# its margin over the runner-up ("+35%", "x2.1"), grey "tie" when the
# difference is not significant. Data columns: col, row, fill (0xRRGGBB),
# label, label colour, row name, column name, winner.
# Reads: data, out, nrows, ncols, lmargin (characters for the row names),
# names, colors (the legend), xlab (the columns' name; default concurrency
# c: the hosts-winners chart has one column per host), and the common
# variables.
if (!exists("xlab")) xlab = "concurrency c"
set xrange [0.5:ncols+0.5]
set yrange [0.5:nrows+0.5]
set xtics scale 0,0 nomirror
set ytics scale 0,0 nomirror
set border 0
unset grid
set xlabel xlab
set style fill solid 1.0 border rgb '#ffffff'
set key outside right top vertical Left reverse samplen 1.5 spacing 1.3
set lmargin lmargin
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  plot data using 1:2:(0.5):(0.5):3:xticlabels(7):yticlabels(6) with boxxyerror linecolor rgb variable notitle, \
       data using 1:2:4:5 with labels textcolor rgb variable font FONT.",15" notitle, \
       for [i=1:words(names)] keyentry with boxes fillcolor rgb word(colors, i) title word(names, i)
  set output
}
