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
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config file %s: not found", path)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in our message
		}
		return nil, fmt.Errorf("config file %s: %w", path, err)
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
		return nil, fmt.Errorf("config file %s: %s%s", path, aliasLine(data, err), yamlMessage(err))
	}
	var extra yaml.Node
	switch err := decodeNode(dec, &extra); {
	case err == io.EOF:
	case err != nil:
		return nil, fmt.Errorf("config file %s: %s%s", path, aliasLine(data, err), yamlMessage(err))
	default:
		return nil, fmt.Errorf("config file %s: line %d: only one YAML document is allowed", path, extra.Line)
	}
	return &doc, nil
}

// decodeNode guards against a panic inside the YAML library: a malformed
// config file must produce an error, not crash the bot.
func decodeNode(dec *yaml.Decoder, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("yaml: the YAML parser could not read it")
		}
	}()
	return dec.Decode(n)
}

// yamlMessage drops the library's "yaml: " prefix so the message reads
// "config file x.yaml: line 3: ...". The library quotes file content in
// only one kind of message, naming an alias ("unknown anchor 'x'
// referenced"), and an unquoted value starting with '*' is read as an
// alias, so quoted text is dropped in case it is a secret.
func yamlMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
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

// aliasLine returns "line N: " for the library's one message without a
// line, "unknown anchor 'x' referenced", by finding the first *x in the file.
func aliasLine(data []byte, err error) string {
	const prefix = "yaml: unknown anchor '"
	rest, ok := strings.CutPrefix(err.Error(), prefix)
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "'")
	i := bytes.Index(data, []byte("*"+name))
	if name == "" || i < 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", bytes.Count(data[:i], []byte("\n"))+1)
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
