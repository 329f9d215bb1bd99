# Prints every Rust function longer than `limit` lines (awk -v limit=150 -f .ci/long-fns.awk
# FILES...). Relies on rustfmt's layout: a body's closing brace stands alone at the
# indentation of its `fn` line. A function nested in another counts as part of it;
# declarations without a body (trait methods) are skipped.
FNR == 1 { open = 0 }
!open && /^[ \t]*(pub(\([a-z:]+\))? +)?((const|async|unsafe) +)*fn +[A-Za-z_][A-Za-z_0-9]*/ {
    if ($0 ~ /;[ \t]*$/ && $0 !~ /\{/) next
    match($0, /^[ \t]*/); pad = substr($0, 1, RLENGTH)
    match($0, /fn +[A-Za-z_][A-Za-z_0-9]*/); name = substr($0, RSTART + 3, RLENGTH - 3)
    gsub(/ /, "", name)
    start = FNR; open = 1
    # A body on one line.
    if ($0 ~ /\{/ && $0 ~ /\}[ \t]*$/) open = 0
    next
}
open && $0 == pad "}" {
    n = FNR - start + 1
    if (n > limit) printf "%s:%d: fn %s is %d lines\n", FILENAME, start, name, n
    open = 0
}
