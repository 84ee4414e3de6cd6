# The equivalence rate per strategy and batch size, float vs exact, beside the paper's ~95%.
# Run from this folder: gnuplot equivalence.gp  (reads the CSV files lockstep equivalence wrote
# into float-32tok/, exact-16tok/ and float-64tok/; writes equivalence.png)
set terminal pngcairo size 960,540 font ",11" noenhanced
set output "equivalence.png"
set datafile separator ","
set title "Identical to batch-1 AR under the same numerics (SmolLM2-135M, 13 SpecBench prompts,\none per category, prompt lookup, k = 3, cpu backend)"
set xlabel "batch size"
set ylabel "identical to batch-1 AR (%)"
set xtics ("1" 0, "4" 2, "8" 3, "16" 4)
set xrange [-0.6:4.6]
set yrange [88:101.5]
set key outside right top
set grid ytics
strategies = "spec1 eqspec exspec rollback packed"
# Each strategy's points shifted a little sideways so coinciding rates stay visible.
x(b, i) = log(b) / log(2) + (i - 3) * 0.12
rows(file, s) = sprintf("< awk -F, '$4 == \"all\" && $1 == \"%s\"' %s", s, file)
plot 95 with lines dashtype 2 lw 2 lc rgb "#aa0000" title "paper, EQSPEC on GPU: about 95%", \
     for [i=1:5] rows("float-32tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 7 ps 1.3 lc i title word(strategies, i), \
     for [i=1:5] rows("exact-16tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 4 ps 2.0 lc i notitle, \
     for [i=2:5] rows("float-64tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i) + 0.045):(100 * $7) with points pt 9 ps 1.6 lc i notitle, \
     NaN with points pt 7 lc rgb "black" title "float, 32 tokens (dots)", \
     NaN with points pt 4 ps 2.0 lc rgb "black" title "exact, 16 tokens (squares)", \
     NaN with points pt 9 ps 1.6 lc rgb "black" title "float, 64 tokens (triangles)"
