# The look-aside chart of `make compare`: hit ratio against the memory limit, for memcached and
# cppmemcached, each with its default thread count and with -t 1.
# compare.py calls: gnuplot -e "data='...'; output='...'" lookaside.gp
set terminal pngcairo size 800,480 font ",10"
set output output
set title "look-aside hit ratio (higher is better): Zipf 0.9, 200,000 keys, shifting size mix"
set logscale x 2
set xtics ("16" 16, "64" 64, "256" 256)
set xrange [12:340]
set xlabel "memory limit -m (MB)"
set ylabel "hit ratio (%)"
set yrange [0:100]
set grid
set key top left
plot data using 1:2 with linespoints title "memcached" linecolor rgb "#888888" pointtype 7, \
     ''   using 1:3 with linespoints title "cppmemcached" linecolor rgb "#1f77b4" pointtype 7, \
     ''   using 1:4 with linespoints title "memcached -t 1" linecolor rgb "#888888" \
          dashtype 2 pointtype 6, \
     ''   using 1:5 with linespoints title "cppmemcached -t 1" linecolor rgb "#1f77b4" \
          dashtype 2 pointtype 6
