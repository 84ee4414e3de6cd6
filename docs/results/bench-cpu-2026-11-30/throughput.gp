$ar << EOD
1 2184.18 1598.12 2221.77
2 1822.37 1354.01 2009.43
4 2454.92 2431.59 2457.05
8 2419.99 2261.38 2420.97
EOD
$eqspec << EOD
1 638.914 454.288 806.76
2 715.609 390.826 1086.77
4 1116.24 646.416 1194.54
8 1162.08 1066.24 1203.2
EOD
$exspec << EOD
1 1168.21 1158.75 1175.55
2 565.894 539.34 1065.28
4 465.217 416.303 473.105
8 426.596 420.951 543.787
EOD
$packed << EOD
1 452.75 447.383 454.822
2 460.552 427.893 470.418
4 504.991 497.679 528.716
8 1255.43 1239.19 1330.27
EOD
$rollback << EOD
1 684.316 427.015 1165.05
2 818.634 776.132 832.017
4 751.383 571.239 803.138
8 344.359 298.415 348.43
EOD
$spec1 << EOD
1 465.9 437.259 821.598
2 422.096 402.201 478.016
4 706.496 701.278 1135.46
8 408.731 391.852 482.842
EOD
set title "measured throughput, cpu backend, k 4"
set xlabel "batch size"
set ylabel "tokens/s (median; bars: min..max)"
set logscale x 2
set key left top
set grid
set bmargin 6
set label 1 "measured: lockstep bench scenarios/model_drafter_target_layers.json --backend cpu, median of 3 runs after 1 warm-up" at screen 0.01,0.04 font ",8"
plot $ar using 1:2:3:4 with yerrorlines title "ar", $eqspec using 1:2:3:4 with yerrorlines title "eqspec", $exspec using 1:2:3:4 with yerrorlines title "exspec", $packed using 1:2:3:4 with yerrorlines title "packed", $rollback using 1:2:3:4 with yerrorlines title "rollback", $spec1 using 1:2:3:4 with yerrorlines title "spec1"
set terminal pngcairo size 960,600 noenhanced
set output "throughput.png"
replot
set terminal svg size 960,600 noenhanced
set output "throughput.svg"
replot
