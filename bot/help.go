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

// help is the help text for a command path or a group of them: short by
// default (the top-level commands and what they are for), every usage
// line for "all". An unknown topic gets the short list.
func (r *registry) help(topic string) string {
	topic = strings.TrimSpace(strings.ToLower(strings.TrimPrefix(topic, "/")))
	if topic == "all" {
		var b strings.Builder
		b.WriteString("icbot commands (type /COMMAND help for details):\n")
		for _, s := range r.specs {
			fmt.Fprintf(&b, "  %s\n      %s\n", s.usageLine(), s.summary)
		}
		return strings.TrimRight(b.String(), "\n")
	}
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
	if len(specs) == 0 && topic != "" {
		// "scene frob": name the sub-commands of the longest known part.
		words := strings.Fields(topic)
		for n := len(words) - 1; n > 0; n-- {
			known := strings.Join(words[:n], " ")
			if len(r.under(known)) > 0 {
				return fmt.Sprintf("There is no command /%s. /%s has: %s. Type /%s help for their usage.", topic, known, r.subCommands(known), known)
			}
		}
	}
	if topic == "" || len(specs) == 0 {
		return r.short(topic)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "/%s commands (type /%s help SUB-COMMAND for details):\n", topic, topic)
	for _, s := range specs {
		fmt.Fprintf(&b, "  %s\n      %s\n", s.usageLine(), s.summary)
	}
	return strings.TrimRight(b.String(), "\n")
}

// short lists the top-level commands, what each is for and its
// sub-commands' names, after saying that unknown, if given, is none.
func (r *registry) short(unknown string) string {
	var b strings.Builder
	if unknown != "" {
		fmt.Fprintf(&b, "There is no command /%s.\n", unknown)
	}
	b.WriteString("icbot commands (type /COMMAND help for one, /icbot help all for every usage line):\n")
	for _, name := range r.order {
		fmt.Fprintf(&b, "  /%s: %s", name, r.groupSummary(name))
		if subs := r.subCommands(name); subs != "" {
			fmt.Fprintf(&b, " (%s)", subs)
		}
		b.WriteString("\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (r *registry) groupSummary(name string) string {
	if s := r.summaries[name]; s != "" {
		return s
	}
	return strings.TrimSuffix(r.groups[name][0].summary, ".")
}

// subCommands names the commands under prefix by the words after it:
// "add, list, show, set, beat add".
func (r *registry) subCommands(prefix string) string {
	var subs []string
	for _, s := range r.under(prefix) {
		if s.path != prefix {
			subs = append(subs, strings.TrimPrefix(s.path, prefix+" "))
		}
	}
	return strings.Join(subs, ", ")
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
