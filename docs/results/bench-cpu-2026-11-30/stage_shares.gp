$shares << EOD
point draft verify realign prefill other
"ar b1 k4" 0.0000 0.3859 0.0000 0.6093 0.0048
"ar b2 k4" 0.0000 0.4204 0.0000 0.5748 0.0048
"ar b4 k4" 0.0000 0.3967 0.0000 0.5979 0.0053
"ar b8 k4" 0.0000 0.3914 0.0000 0.6030 0.0057
"spec1 b1 k4" 0.0959 0.6116 0.0000 0.2903 0.0022
"spec1 b2 k4" 0.0953 0.6688 0.0000 0.2337 0.0022
"spec1 b4 k4" 0.1535 0.6166 0.0000 0.2273 0.0025
"spec1 b8 k4" 0.0930 0.6321 0.0000 0.2728 0.0021
"eqspec b1 k4" 0.1302 0.5956 0.0000 0.2714 0.0027
"eqspec b2 k4" 0.3997 0.3881 0.0014 0.2085 0.0023
"eqspec b4 k4" 0.2576 0.3979 0.0025 0.3391 0.0029
"eqspec b8 k4" 0.2826 0.3630 0.0022 0.3492 0.0029
"exspec b1 k4" 0.3842 0.5561 0.0000 0.0559 0.0038
"exspec b2 k4" 0.2942 0.3877 0.0028 0.3130 0.0024
"exspec b4 k4" 0.3393 0.3912 0.0030 0.2648 0.0017
"exspec b8 k4" 0.3923 0.3523 0.0035 0.2498 0.0022
"rollback b1 k4" 0.1675 0.6366 0.0000 0.1933 0.0027
"rollback b2 k4" 0.3347 0.4201 0.0000 0.2425 0.0028
"rollback b4 k4" 0.3113 0.4596 0.0000 0.2259 0.0032
"rollback b8 k4" 0.3813 0.4210 0.0000 0.1956 0.0020
"packed b1 k4" 0.0898 0.6772 0.0000 0.2306 0.0024
"packed b2 k4" 0.3438 0.4010 0.0000 0.2537 0.0016
"packed b4 k4" 0.3398 0.4165 0.0000 0.2419 0.0018
"packed b8 k4" 0.3074 0.3509 0.0000 0.3388 0.0029
EOD
set title "share of run time per stage, cpu backend (medians)"
set style data histograms
set style histogram rowstacked
set style fill solid 0.8
set boxwidth 0.8
set yrange [0:1]
set ylabel "share"
set key outside right
set xtics rotate by -45 font ",8"
set bmargin 9
set label 1 "measured: lockstep bench scenarios/model_drafter_target_layers.json --backend cpu, median of 3 runs after 1 warm-up" at screen 0.01,0.03 font ",8"
plot for [i=2:6] $shares using i:xtic(1) title columnheader(i)
set terminal pngcairo size 960,600 noenhanced
set output "stage_shares.png"
replot
set terminal svg size 960,600 noenhanced
set output "stage_shares.svg"
replot
