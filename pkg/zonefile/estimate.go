package zonefile

import "bytes"

// EstimateRecords is about how many records data holds, for sizing: its
// lines that start a record, outside parentheses, without a blank,
// comment or directive line. A signed zone writes each RRSIG over six
// lines; sized by lines, its map took a third of the peak memory. Quotes
// and escapes are not followed (a parenthesis inside a string may miscount
// a few lines; the estimate only sizes a map).
func EstimateRecords(data []byte) int {
	n, depth := 0, 0
	for len(data) > 0 {
		line := data
		if k := bytes.IndexByte(data, '\n'); k >= 0 {
			line, data = data[:k], data[k+1:]
		} else {
			data = nil
		}
		if k := bytes.IndexByte(line, ';'); k >= 0 {
			line = line[:k]
		}
		if depth == 0 {
			if t := bytes.TrimLeft(line, " \t\r"); len(t) > 0 && t[0] != '$' {
				n++
			}
		}
		depth += bytes.Count(line, []byte("(")) - bytes.Count(line, []byte(")"))
		depth = max(depth, 0)
	}
	return n
}
