# The equivalence rate per strategy and batch size, float vs exact, beside the paper's ~95%.
# Run from this folder: gnuplot equivalence.gp  (reads the CSV files lockstep equivalence wrote
# into float-32tok/, exact-16tok/ and float-64tok/; writes equivalence.png)
set terminal pngcairo size 900,520 font ",11"
set output "equivalence.png"
set datafile separator ","
set title "Sequences identical to batch-1 AR (SmolLM2-135M, 13 SpecBench prompts, prompt lookup, k = 3)"
set xlabel "batch size"
set ylabel "identical to batch-1 AR (%)"
set xtics ("1" 0, "4" 2, "8" 3, "16" 4)
set xrange [-0.6:4.6]
set yrange [88:101.5]
set key outside right top
set grid ytics
strategies = "spec1 eqspec exspec rollback packed"
# Each strategy's points shifted a little sideways so coinciding rates stay visible.
x(b, i) = log(b) / log(2) + (i - 3) * 0.09
rows(file, s) = sprintf("< awk -F, '$4 == \"all\" && $1 == \"%s\"' %s", s, file)
plot 95 with lines dashtype 2 lw 2 lc rgb "#aa0000" title "paper, EQSPEC on GPU: ~95%", \
     for [i=1:5] rows("float-32tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 7 ps 1.3 lc i title word(strategies, i)." float, 32 tokens", \
     for [i=1:5] rows("exact-16tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 4 ps 2.0 lc i title word(strategies, i)." exact, 16 tokens", \
     for [i=1:5] rows("float-64tok/equivalence.csv", word(strategies, i)) \
       using (x($2, i)):(100 * $7) with points pt 9 ps 1.5 lc i title word(strategies, i)." float, 64 tokens"
