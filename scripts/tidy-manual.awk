# Tidies the mdoc page swift-argument-parser's generate-manual writes from the
# commands' help, so that `mandoc -T lint` and `groff -ww` are quiet: a blank
# line of help text becomes a paragraph break, lines indented by two spaces
# (the help's examples) a literal display, and each sentence of running text
# starts a line of its own (roff's rule for sentence spacing). A paragraph
# break the generator puts right before a list item is dropped: mandoc skips it.
function close_display() { if (display) { print ".Ed"; display = 0 } }
held_paragraph && !/^\.It / { print ".Pp" }
{ held_paragraph = 0 }
/^\.Pp$/ { close_display(); held_paragraph = 1; next }
/^\./ { close_display(); print; next }
/^$/ { close_display(); pending_paragraph = 1; next }
/^  / {
  if (!display) {
    pending_paragraph = 0
    print ".Bd -literal -offset indent"; display = 1
  }
  sub(/^  /, ""); print; next
}
{
  close_display()
  if (pending_paragraph) { print ".Pp"; pending_paragraph = 0 }
  line = $0
  while (match(line, /[a-z0-9)'"][.?!] +[^ ]/)) {
    print substr(line, 1, RSTART + 1)
    line = substr(line, RSTART + RLENGTH - 1)
  }
  print line
}
END { close_display() }
