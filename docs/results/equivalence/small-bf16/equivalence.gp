# The equivalence grid on the `small` preset under exact, fp32 and bf16, beside the paper's ~95%.
# Run from this folder: gnuplot equivalence.gp  (reads equivalence.csv, which
# `lockstep equivalence ... --numerics exact,float,bf16` wrote here; writes equivalence.png)
set terminal pngcairo size 960,540 font ",11" noenhanced
set output "equivalence.png"
set datafile separator ","
set title "Identical to batch-1 AR under the same numerics\n(small preset, 65 SpecBench prompts, 64 new tokens, k = 4, cpu backend)"
set xlabel "batch size"
set ylabel "identical to batch-1 AR (%)"
set xtics ("1" 0, "4" 2, "8" 3, "16" 4)
set xrange [-0.6:4.6]
set yrange [60:103]
set key outside right top
set grid ytics
strategies = "spec1 eqspec exspec rollback packed"
x(b, i) = log(b) / log(2) + (i - 3) * 0.12
rows(n, s) = sprintf("< awk -F, '$4 == \"all\" && $3 == \"%s\" && $1 == \"%s\"' equivalence.csv", n, s)
plot 95 with lines dashtype 2 lw 2 lc rgb "#aa0000" title "paper, EQSPEC on GPU: about 95%", \
     for [i=1:5] rows("bf16", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 7 ps 1.3 lc i title word(strategies, i), \
     for [i=1:5] rows("exact", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 4 ps 2.0 lc i notitle, \
     for [i=1:5] rows("float", word(strategies, i)) \
       using (x($2, i)):(100 * $7 + 1) with points pt 9 ps 1.6 lc i notitle, \
     NaN with points pt 7 lc rgb "black" title "bf16 (dots)", \
     NaN with points pt 4 ps 2.0 lc rgb "black" title "exact (squares)", \
     NaN with points pt 9 ps 1.6 lc rgb "black" title "fp32 (triangles, drawn 1 point up)"
