package bot

import (
	"fmt"
	"strings"
)

// names lists the top-level commands: "/icbot, /scene, /closedset and /hold".
func (r *registry) names() string {
	var names []string
	seen := map[string]bool{}
	for _, s := range r.specs {
		name, _, _ := strings.Cut(s.path, " ")
		if !seen[name] {
			seen[name] = true
			names = append(names, "/"+name)
		}
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// help is the help text for a command path or a group of them. An unknown
// topic gets the full list.
func (r *registry) help(topic string) string {
	topic = strings.TrimSpace(strings.ToLower(strings.TrimPrefix(topic, "/")))
	specs := r.under(topic)
	if s, ok := r.byPath[topic]; ok {
		if len(specs) == 1 {
			return s.longHelp()
		}
		// A command that also has sub-commands, such as /hold and /hold lift.
		var b strings.Builder
		b.WriteString(s.longHelp() + "\nSub-commands:")
		for _, sub := range specs[1:] {
			fmt.Fprintf(&b, "\n  %s\n      %s", sub.usageLine(), sub.summary)
		}
		return b.String()
	}
	var b strings.Builder
	if topic == "" || len(specs) == 0 {
		if topic != "" {
			fmt.Fprintf(&b, "There is no command /%s.\n", topic)
		}
		b.WriteString("icbot commands (type /COMMAND help for details):\n")
		specs = r.specs
	} else {
		fmt.Fprintf(&b, "/%s commands (type /%s help SUB-COMMAND for details):\n", topic, topic)
	}
	for _, s := range specs {
		fmt.Fprintf(&b, "  %s\n      %s\n", s.usageLine(), s.summary)
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *spec) longHelp() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s\n%s\n", s.usageLine(), s.summary)
	if s.help != "" {
		b.WriteString(s.help + "\n")
	}
	fmt.Fprintf(&b, "Who may run it: %s.", s.access.who())
	return b.String()
}
