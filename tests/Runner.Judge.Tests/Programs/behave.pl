my ($cmd, @args) = split ' ', do { local $/; <STDIN> };
if ($cmd eq 'sum') { print $args[0] + $args[1], "\n"; }
elsif ($cmd eq 'spin') { 1 while 1; }
elsif ($cmd eq 'alloc') { my @keep; push @keep, 'x' x (1 << 20) while 1; }
elsif ($cmd eq 'div') { my $z = 0; print 1 / $z, "\n"; }
elsif ($cmd eq 'throw') { die "boom\n"; }
elsif ($cmd eq 'exit3') { exit 3; }
elsif ($cmd eq 'flood') { print "y" x 4096, "\n" while 1; }
else { exit 11; }
