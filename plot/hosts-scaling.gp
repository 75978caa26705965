# hosts-scaling-WORKLOAD: small multiples, one panel per host, each with
# the median throughput of every model vs concurrency divided by the best
# median any model reached on that host (1 = that host's best; serial, the
# reference, is left out), so the panels compare models within each
# machine, not machines.
# Data: one block per (host, runner): c, fraction, CI low, CI high; the
# blocks of panel p are pstart(p) .. pstart(p) + pcount(p) - 1.
# Reads: data, out, panels, ptitles (the hosts, '|' apart), pstart, pcount,
# names, colors, points, dashes (per block), lnames, lcolors, lpoints,
# ldashes (the legend: every runner once), xmin, xmax, xtics, yhi, and the
# common variables.
C = panels < 3 ? panels : 3
R = int((panels + C - 1) / C)
# The i-th host ('|' apart: names may hold spaces).
ptitle(i) = i == 1 ? (strstrt(ptitles, "|") ? ptitles[1:strstrt(ptitles, "|")-1] : ptitles) : ptitle_rest(ptitles[strstrt(ptitles, "|")+1:], i-1)
ptitle_rest(s, i) = i == 1 ? (strstrt(s, "|") ? s[1:strstrt(s, "|")-1] : s) : ptitle_rest(s[strstrt(s, "|")+1:], i-1)
pfirst(p) = int(word(pstart, p))
plast(p) = int(word(pstart, p)) + int(word(pcount, p)) - 1

# Screen layout: the title block on top, the legend on the right.
T = 1 - 170.0 / H
B = 20.0 / H
L = 20.0 / W
RR = 1 - 230.0 / W
PW = (RR - L) / C
PH = (T - B) / R

eval set_conc_axis
set xlabel "c" offset 0,0.6
set yrange [0:(yhi > 1.12 ? yhi : 1.12)]  # room for the CI above the best
set ytics ("0" 0, "0.25" 0.25, "0.5" 0.5, "0.75" 0.75, "1" 1, "1.5" 1.5, "2" 2) nomirror
unset mytics
unset logscale y
set grid xtics ytics
do for [fmt in formats] {
  eval (fmt eq "png" ? term_png : term_svg)
  set output out.".".fmt
  set multiplot
  do for [p=1:panels] {
    col = (p - 1) % C
    row = (p - 1) / C
    set lmargin at screen L + col * PW + 80.0 / W
    set rmargin at screen L + (col + 1) * PW - 20.0 / W
    set tmargin at screen T - row * PH - 40.0 / H
    set bmargin at screen T - (row + 1) * PH + 70.0 / H
    set title ptitle(p) font FONT.",17" textcolor rgb '#101010'
    set ylabel (col == 0 ? "fraction of the host's best" : "")
    if (p == 1) {
      set key at screen 1 - 20.0 / W, screen T right top vertical Left reverse samplen 2.2 spacing 1.3
      plot for [i=pfirst(p):plast(p)] data index (i-1) using ($1*dodge(i-pfirst(p)+1)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) notitle, \
           for [j=1:words(lnames)] keyentry with linespoints linecolor rgb word(lcolors, j) linewidth LW dashtype int(word(ldashes, j)) pointtype int(word(lpoints, j)) title word(lnames, j)
      # the title block and the note once, not once per panel
      unset label 101
      unset label 102
      unset label 103
      unset label 104
      unset key
    } else {
      plot for [i=pfirst(p):plast(p)] data index (i-1) using ($1*dodge(i-pfirst(p)+1)):2:3:4 with yerrorlines linecolor rgb scolor(i) linewidth LW dashtype sdash(i) pointtype spoint(i) notitle
    }
  }
  unset multiplot
  set output
  # the next format draws the title block again
  set label 101 ttl at screen 0.5, screen 1 center offset 0,-1.3 font FONT.",22" textcolor rgb '#101010'
  set label 102 sub1 at screen 0.5, screen 1 center offset 0,-2.9 font FONT.",13" textcolor rgb '#505050'
  set label 103 sub2 at screen 0.5, screen 1 center offset 0,-4.1 font FONT.",13" textcolor rgb '#505050'
}
