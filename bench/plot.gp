# Charts for docs/BENCHMARKS.md, drawn from one bench/compare run. Called by bench/compare as
#   gnuplot -e "sweep='bench/results/STAMP-sweep.dat'; cdfdir='bench/results'; stamp='STAMP'; outdir='docs/img'" bench/plot.gp
set terminal pngcairo size 900,540 font "DejaVu Sans,11"
set grid
set key top left

set output outdir.'/throughput-vs-connections.png'
set title 'SendMessage throughput vs connections (one message per request, 256-byte body)'
set xlabel 'connections'
set ylabel 'requests per second'
set logscale x 2
set xtics (1, 4, 16, 64, 256)
set xrange [0.8:320]
set format y '%.0s%c'
plot sweep using 1:2 with linespoints lw 2 title 'tern serve --durability memory', \
     sweep using 1:3 with linespoints lw 2 title 'tern serve --durability sync', \
     sweep using 1:4 with linespoints lw 2 dt 2 title 'nginx fixed reply (HTTP ceiling)'

set output outdir.'/e2e-latency-cdf.png'
set title 'Send -> receive latency, e2e at half of each server''s peak rate (long polls)'
set xlabel 'latency (ms, log scale)'
set ylabel 'fraction of messages'
set logscale x 10
unset logscale y
set xtics auto
set format x '%g'
set format y '%.2f'
set yrange [0:1.01]
set key bottom right
files = 'tern-memory tern-sync fauxqs local-aws-sqs'
plot for [w in files] cdfdir.'/'.stamp.'-cdf-'.w.'.dat' using ($1/1000):2 with lines lw 2 title w
