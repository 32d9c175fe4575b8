package postman

// readableJSON undoes encoding/json's HTML escaping (\u0026, \u003c, \u003e) inside JSON
// strings, so the scripts in a collection read as written ("&&", "<") in a diff. It walks
// the escapes left to right, so an escaped backslash followed by "u0026" stays as it was.
func readableJSON(b []byte) []byte {
	out := make([]byte, 0, len(b))
	inString := false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case !inString:
			if c == '"' {
				inString = true
			}
			out = append(out, c)
		case c == '"':
			inString = false
			out = append(out, c)
		case c == '\\' && i+1 < len(b):
			if b[i+1] == 'u' && i+5 < len(b) && string(b[i+2:i+4]) == "00" {
				switch string(b[i+4 : i+6]) {
				case "26":
					out = append(out, '&')
					i += 5
					continue
				case "3c":
					out = append(out, '<')
					i += 5
					continue
				case "3e":
					out = append(out, '>')
					i += 5
					continue
				}
			}
			out = append(out, c, b[i+1])
			i++
		default:
			out = append(out, c)
		}
	}
	return out
}
