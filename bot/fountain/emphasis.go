package fountain

import "strings"

// plain removes Fountain's emphasis from one line: *italic*, **bold**,
// ***bold italic*** and _underline_. Markers count only in pairs on the
// line, an opening one followed by a non-space and a closing one preceded
// by one; "\*" and "\_" are a literal "*" and "_". Unpaired markers stay.
func plain(s string) string {
	if strings.IndexAny(s, `*_\`) < 0 {
		return s
	}
	b := []byte(s)
	drop := make([]bool, len(b))
	escaped := make([]bool, len(b))
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\\' && (b[i+1] == '*' || b[i+1] == '_') {
			drop[i], escaped[i+1] = true, true
			i++
		}
	}
	pairMarkers(b, drop, escaped, '*', 3, false)
	pairMarkers(b, drop, escaped, '_', 1, true)
	var sb strings.Builder
	sb.Grow(len(b))
	for i, c := range b {
		if !drop[i] {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// pairMarkers marks for dropping the runs of c (up to max long) that pair
// up as emphasis. With wordBound, as for "_", a marker inside a word
// ("file_name") neither opens nor closes.
func pairMarkers(b []byte, drop, escaped []bool, c byte, max int, wordBound bool) {
	type run struct{ at, n int }
	var open []run
	for i := 0; i < len(b); {
		if b[i] != c || escaped[i] {
			i++
			continue
		}
		j := i
		for j < len(b) && b[j] == c && !escaped[j] {
			j++
		}
		n := j - i
		if n <= max {
			canClose := i > 0 && !isSpace(b[i-1])
			canOpen := j < len(b) && !isSpace(b[j])
			if wordBound {
				canClose = canClose && (j == len(b) || !isWordByte(b[j]))
				canOpen = canOpen && (i == 0 || !isWordByte(b[i-1]))
			}
			closed := false
			if canClose {
				for k := len(open) - 1; k >= 0; k-- {
					if open[k].n == n {
						for m := 0; m < n; m++ {
							drop[open[k].at+m] = true
							drop[i+m] = true
						}
						open = open[:k]
						closed = true
						break
					}
				}
			}
			if !closed && canOpen {
				open = append(open, run{i, n})
			}
		}
		i = j
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
