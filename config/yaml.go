package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// readYAML reads and parses the config file into a node tree. Walking the
// nodes ourselves, instead of decoding into a struct, lets every value go
// through the key table's setters and gives each unknown key its line.
func readYAML(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("config file %s: larger than %d bytes; is this really the config file?", path, maxFileSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := decodeNode(dec, &doc); err != nil {
		if err == io.EOF {
			return nil, nil // an empty file sets nothing
		}
		return nil, fmt.Errorf("config file %s: %s", path, yamlProblem(data, err))
	}
	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case err == io.EOF:
	case err != nil:
		return nil, fmt.Errorf("config file %s: %s", path, yamlProblem(data, err))
	default:
		return nil, fmt.Errorf("config file %s: line %d: only one YAML document is allowed", path, extra.Line)
	}
	return &doc, nil
}

// fileError says why the config file cannot be read and what to do,
// without the system call's wording.
func fileError(path string, err error) error {
	const fix = "give the file's path with --config or " + EnvConfigFile
	var why string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("config file %s: not found; %s", path, fix)
	case errors.Is(err, fs.ErrPermission):
		why = "permission denied; make it readable by the user icbot runs as"
	case isDir(path):
		return fmt.Errorf("config file %s: is a directory, not a file; %s", path, fix)
	default:
		why = "it cannot be read"
		var pe *fs.PathError
		if errors.As(err, &pe) {
			why += " (" + pe.Err.Error() + ")"
		}
	}
	return fmt.Errorf("config file %s: %s", path, why)
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// errParserPanic is the message for a panic inside the YAML library.
const errParserPanic = "the YAML parser could not read it"

// decodeNode guards against a panic inside the YAML library: a malformed
// config file must produce an error, not crash the bot.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("yaml: " + errParserPanic)
		}
	}()
	return dec.Decode(n)
}

// yamlHints say in plain words what the YAML library's messages mean and
// what to do, keyed by a part of the message.
var yamlHints = []struct{ part, hint string }{
	{"tab character", "YAML does not allow tabs for indenting: indent with spaces"},
	{"mapping values are not allowed", `there is a ": " where YAML expects none: check the indentation, and put a value that holds ": " in quotes`},
	{"cannot start any token", "a value starts with a character YAML reserves (such as @, ` or %): put the value in quotes"},
	{"did not find expected key", "the indentation does not line up with the keys above it"},
	{"did not find expected ',' or", "a list or mapping in brackets is not closed"},
	{"unexpected end of stream", "a quote or bracket opened here is not closed"},
	{"unknown escape character", `a value in double quotes holds a backslash: use single quotes, or write \\ for each backslash`},
	{"could not find expected ':'", `a key is not followed by ": "`},
	{"block sequence entries are not allowed", `a list item ("- ...") is where a value should be: check the indentation`},
	{"unknown anchor", "a value starts with *, which YAML reads as a reference to another value: put the value in quotes"},
	{"UTF-8", "the file holds bytes that are not UTF-8 text: save it as UTF-8"},
	{"control characters", "the file holds control characters: save it as plain UTF-8 text"},
}

// yamlProblem says where the file is not valid YAML and what to do, as
// "line N: not valid YAML: ...". A tab on that line is the likely cause
// whatever the library says. The library's own message is shown only
// when no hint fits, with quoted text dropped: it quotes file content in
// only one kind of message, naming an alias ("unknown anchor 'x'
// referenced"), and an unquoted value starting with '*' is read as an
// alias, so the quoted text could be a secret.
func yamlProblem(data []byte, err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		n, after, found := strings.Cut(rest, ": ")
		if v, err := strconv.Atoi(n); found && err == nil {
			line, msg = v, after
		}
	}
	switch {
	case strings.HasPrefix(msg, "unknown anchor"):
		line = aliasLine(data, err)
	case line == 0 && !strings.Contains(msg, errParserPanic):
		// The library leaves out the line when it is the first.
		line = 1
	case strings.HasPrefix(msg, "did not find expected key"):
		// The library counts this one's lines from 0: the line it names
		// is the one above the key that does not line up.
		line++
	}
	where := ""
	if line > 0 {
		where = fmt.Sprintf("line %d: ", line)
	}
	if line > 0 && strings.Contains(lineOf(data, line), "\t") {
		return where + "not valid YAML: " + yamlHints[0].hint
	}
	for _, h := range yamlHints {
		if strings.Contains(msg, h.part) {
			return where + "not valid YAML: " + h.hint
		}
	}
	return where + "not valid YAML (the YAML parser says: " + dropQuoted(msg) + ")"
}

// lineOf returns line n (from 1) of data, or "".
func lineOf(data []byte, n int) string {
	lines := bytes.Split(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return ""
	}
	return string(lines[n-1])
}

// dropQuoted replaces text in single quotes with '...'.
func dropQuoted(msg string) string {
	var b strings.Builder
	for {
		before, rest, ok := strings.Cut(msg, "'")
		b.WriteString(before)
		if !ok {
			return b.String()
		}
		_, after, ok := strings.Cut(rest, "'")
		if !ok {
			b.WriteString("'" + rest)
			return b.String()
		}
		b.WriteString("'...'")
		msg = after
	}
}

// aliasLine returns the line of the library's one message without a
// line, "unknown anchor 'x' referenced", by finding the first *x in the
// file; 0 when it is another message or not found.
func aliasLine(data []byte, err error) int {
	const prefix = "yaml: unknown anchor '"
	rest, ok := strings.CutPrefix(err.Error(), prefix)
	if !ok {
		return 0
	}
	name, _, _ := strings.Cut(rest, "'")
	i := bytes.Index(data, []byte("*"+name))
	if name == "" || i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// resolve follows aliases (*name) to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; i < 8 && n != nil && n.Kind == yaml.AliasNode && n.Alias != nil; i++ {
		n = n.Alias
	}
	return n
}

// isNull reports an absent value or YAML null (~, null, nothing).
func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// sections lists the top-level YAML keys in key-table order: either a key
// ("adapter") or the first part of dotted keys ("storage").
func sections() []string {
	var out []string
	for _, k := range keyTable {
		top, _, _ := strings.Cut(k.name, ".")
		if !slices.Contains(out, top) {
			out = append(out, top)
		}
	}
	return out
}

// childKeys lists the YAML keys inside a section.
func childKeys(section string) []string {
	var out []string
	for _, k := range keyTable {
		if rest, ok := strings.CutPrefix(k.name, section+"."); ok {
			out = append(out, rest)
		}
	}
	return out
}

// applyYAML applies a parsed config file, reporting unknown, repeated and
// misshapen keys with their lines.
func (c *Config) applyYAML(path string, doc *yaml.Node) []error {
	if doc == nil {
		return nil
	}
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	root = resolve(root)
	if isNull(root) {
		return nil
	}
	fileErr := func(line int, format string, a ...any) error {
		return fmt.Errorf("config file %s: line %d: %s", path, line, fmt.Sprintf(format, a...))
	}
	if root.Kind != yaml.MappingNode {
		return []error{fileErr(root.Line, "expected a mapping of keys such as \"adapter: console\" (known keys: %s)", strings.Join(sections(), ", "))}
	}
	var errs []error
	walkMapping(root, func(kn, vn *yaml.Node, dup int) {
		if kn == nil {
			errs = append(errs, fileErr(vn.Line, "keys must be plain names"))
			return
		}
		name := kn.Value
		if dup > 0 {
			errs = append(errs, fileErr(kn.Line, "key %q repeats the one on line %d", name, dup))
			return
		}
		if k, ok := keyIndex[name]; ok && !strings.Contains(name, ".") {
			if err := c.setYAML(path, k, kn, vn); err != nil {
				errs = append(errs, err)
			}
			return
		}
		children := childKeys(name)
		if len(children) == 0 {
			errs = append(errs, fileErr(kn.Line, "unknown key %s (known keys: %s)%s", quoteKey(name), strings.Join(sections(), ", "), suggest(name, sections())))
			return
		}
		if isNull(vn) {
			return
		}
		if vn.Kind != yaml.MappingNode {
			errs = append(errs, fileErr(kn.Line, "%s must be a mapping of keys (%s)", name, strings.Join(children, ", ")))
			return
		}
		walkMapping(vn, func(ckn, cvn *yaml.Node, dup int) {
			if ckn == nil {
				errs = append(errs, fileErr(cvn.Line, "keys in %s must be plain names", name))
				return
			}
			full := name + "." + ckn.Value
			if dup > 0 {
				errs = append(errs, fileErr(ckn.Line, "key %q repeats the one on line %d", full, dup))
				return
			}
			k, ok := keyIndex[full]
			if !ok {
				errs = append(errs, fileErr(ckn.Line, "unknown key %s (known keys in %s: %s)%s", quoteKey(full), name, strings.Join(children, ", "), suggest(ckn.Value, children)))
				return
			}
			if err := c.setYAML(path, k, ckn, cvn); err != nil {
				errs = append(errs, err)
			}
		})
	})
	return errs
}

// quoteKey quotes an unknown key for an error message. A long one is not
// shown: real keys are short, so it is likely a value pasted in the wrong
// place, perhaps a secret.
func quoteKey(name string) string {
	if len(name) > 40 {
		return fmt.Sprintf("of %d characters (not shown in case it is a secret)", len(name))
	}
	return strconv.Quote(name)
}

// walkMapping calls fn for each key/value pair of a mapping node. kn is nil
// when the key is not a scalar; dup is the line of an earlier identical key
// (yaml.v3 does not check duplicates when decoding into a Node).
func walkMapping(m *yaml.Node, fn func(kn, vn *yaml.Node, dup int)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, vn := resolve(m.Content[i]), resolve(m.Content[i+1])
		if kn == nil || kn.Kind != yaml.ScalarNode {
			fn(nil, vn, 0)
			continue
		}
		dup := seen[kn.Value]
		if dup == 0 {
			seen[kn.Value] = kn.Line
		}
		fn(kn, vn, dup)
	}
}

// setYAML applies one YAML value. Null leaves the default in place.
func (c *Config) setYAML(path string, k *key, kn, vn *yaml.Node) error {
	where := fmt.Sprintf("config file %s line %d", path, kn.Line)
	switch {
	case isNull(vn):
		return nil
	case vn.Kind == yaml.ScalarNode:
		return c.set(k, vn.Value, where)
	case vn.Kind == yaml.SequenceNode && k.setList != nil:
		c.src.set(k.name, where)
		items := make([]string, 0, len(vn.Content))
		for _, item := range vn.Content {
			item = resolve(item)
			if item == nil || item.Kind != yaml.ScalarNode {
				return c.keyError(k, errors.New("expected a list of plain values"))
			}
			items = append(items, item.Value)
		}
		k.setList(c, items)
		return nil
	default:
		c.src.set(k.name, where)
		what := "a mapping"
		if vn.Kind == yaml.SequenceNode {
			what = "a list"
		}
		return c.keyError(k, fmt.Errorf("expected a single value, not %s", what))
	}
}
