# Shared settings of every concbench chart. `concbench plot` runs
#   gnuplot -e "data='...'; out='...'; ttl='...'; ..." plot/common.gp plot/X.gp
# (plot/plot.c writes the data file and chooses every value; docs/SCHEMA.md,
# "Charts", lists them). Each chart script draws its chart once per format in
# `formats`, to out.'.png' and out.'.svg'.
#
# Variables every script can rely on after this file:
#   ttl, sub1, sub2, note   title, two subtitle lines, a footnote ('' for none)
#   W, H                    canvas size in pixels (1280 x 720 unless given)
#   n, names, colors, points, dashes   the series: count and space-separated lists

if (!exists("W")) W = 1280
if (!exists("H")) H = 720
if (!exists("formats")) formats = "png svg"
if (!exists("ttl")) ttl = ""
if (!exists("sub1")) sub1 = ""
if (!exists("sub2")) sub2 = ""
if (!exists("note")) note = ""
if (!exists("n")) n = 0

FONT = "DejaVu Sans"
# Terminal commands, eval'ed by start(fmt) below. noenhanced: names such as
# comm.payload or io_sleep are printed as they are.
term_png = sprintf("set terminal pngcairo size %d,%d noenhanced font '%s,16' linewidth 1.6 rounded", W, H, FONT)
term_svg = sprintf("set terminal svg size %d,%d dynamic noenhanced font '%s,16' linewidth 1.6 rounded background '#ffffff'", W, H, FONT)

set encoding utf8
set datafile missing NaN
set style data yerrorlines
set bars small
set pointsize 1.6
set border 3 linewidth 1 linecolor rgb '#404040'
set tics nomirror out scale 0.6 textcolor rgb '#202020'
set grid xtics ytics linecolor rgb '#e4e4e4' linewidth 1 dashtype 1
LW = 1.4   # series line width (times the terminal's)
set key noenhanced outside right top vertical Left reverse samplen 2.2 spacing 1.25 width 1 noautotitle
set xlabel offset 0,0.3
set ylabel offset 0.5,0

# Title block: labels at the top of the canvas, in character units, so
# they keep their place whatever the canvas size.
set tmargin 6.5
set label 101 ttl at screen 0.5, screen 1 center offset 0,-1.3 font FONT.",22" textcolor rgb '#101010'
set label 102 sub1 at screen 0.5, screen 1 center offset 0,-2.9 font FONT.",13" textcolor rgb '#505050'
set label 103 sub2 at screen 0.5, screen 1 center offset 0,-4.1 font FONT.",13" textcolor rgb '#505050'
if (strlen(note) > 0) {
  set bmargin 5.5
  set label 104 note at screen 0, screen 0 left offset 1.2,1.0 font FONT.",12" textcolor rgb '#606060'
} else {
  set bmargin 4
}

# Series i (1-based): its name, colour, point type and dash type.
sname(i) = word(names, i)
scolor(i) = word(colors, i)
spoint(i) = int(word(points, i))
sdash(i) = int(word(dashes, i))

# Series i is drawn a little to the side of its x (on the log axis), so
# that the error bars of runners with close values do not hide each other.
dodge(i) = exists("xmin") && n > 1 ? 2**((i - (n + 1) / 2.0) * log(xmax / xmin) / log(2) * 0.009) : 1

# Concurrency on a log2 axis with a tic at every value that was measured,
# and the y axis as the harness laid it out (range, labelled tics, log or
# linear): eval set_conc_axis; eval set_y_axis.
if (exists("xtics")) set_conc_axis = "set logscale x 2; set xrange [xmin:xmax]; set xtics (".xtics."); unset mxtics; set xlabel 'concurrency c (tasks in flight)'"
if (exists("ytics")) set_y_axis = "set yrange [ylo:yhi]; set ytics (".ytics."); unset mytics; ".(logy ? "set logscale y" : "unset logscale y")
