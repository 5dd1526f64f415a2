# Log-like text: increasing timestamps, levels, components, varied words, ids and numbers.
BEGIN {
  srand(seed)
  split("INFO INFO INFO INFO DEBUG DEBUG WARN ERROR", levels, " ")
  split("fetch parse load chunk embed index upload verify merge extract", components, " ")
  split("record records sample batch file chunk document row rows page query request response retry token cache hit miss written read skipped accepted rejected queued done started finished elapsed bytes from to with for after before in of the a at ms", words, " ")
  nw = length(words); nl = length(levels); nc = length(components)
  t = 1700000000; target = mb * 1024 * 1024; written = 0
  while (written < target) {
    t += rand() * 0.05
    s = int(t); ms = int((t - s) * 1000)
    line = strftime("%Y-%m-%dT%H:%M:%S", s, 1) sprintf(".%03dZ", ms) " " levels[int(rand() * nl) + 1] " " components[int(rand() * nc) + 1] "[" int(rand() * 8) "]"
    n = 4 + int(rand() * 10)
    for (i = 0; i < n; i++) {
      r = rand()
      if (r < 0.12) line = line " id=" sprintf("%08x", int(rand() * 4294967295))
      else if (r < 0.22) line = line " n=" int(rand() * 100000)
      else if (r < 0.27) line = line " SRR" int(1000000 + rand() * 9000000)
      else line = line " " words[int(rand() * nw) + 1]
    }
    print line
    written += length(line) + 1
  }
}
