# The chart of `make compare`: ops/s and p99 latency of memcached and cppmemcached, one pair of
# bars per workload. compare.py calls: gnuplot -e "data='...'; output='...'" compare.gp
set terminal pngcairo size 1200,480 font ",10"
set output output
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set offsets 0, 0, graph 0.1, 0
set key top right
set grid ytics
set xtics rotate by -20 scale 0
set multiplot layout 1,2 title "cppmemcached vs memcached, both -t 1, pinned (median of rounds)"
set title "throughput (higher is better)"
set ylabel "ops/s"
set format y "%.0s%c"
plot data using 2:xtic(1) title "memcached" linecolor rgb "#888888", \
     ''   using 3 title "cppmemcached" linecolor rgb "#1f77b4"
set title "p99 latency (lower is better)"
set ylabel "µs"
set format y "%g"
set offsets 0, 0, 0, 0
set logscale y
plot data using 4:xtic(1) title "memcached" linecolor rgb "#888888", \
     ''   using 5 title "cppmemcached" linecolor rgb "#1f77b4"
unset multiplot
