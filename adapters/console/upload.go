package console

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"icbot/bot"
	"icbot/bot/fountain"
)

// maxUpload is the largest file the console hands the bot, as the chat
// platforms bound theirs: the largest script the reader takes.
const maxUpload = fountain.MaxSize

// fileCommands are the commands that take a file (a screenplay for
// /scene import): on a platform the file comes with the command; in the
// console the words after the command are its path, which the console
// reads. The bot itself never opens a path.
func fileCommands() []string {
	var out []string
	for _, g := range bot.Commands() {
		for _, c := range g.Commands {
			for _, p := range c.Params {
				if p.Kind == bot.ParamFile {
					out = append(out, "/"+c.Path)
				}
			}
		}
	}
	return out
}

// upload reads the file a command line names, for a command that takes
// one, and returns the line with the file's name in place of its path.
// It reports false, having said why, when the file cannot be read.
func (a *Adapter) upload(text string) (string, *bot.Upload, bool) {
	for _, c := range fileCommands() {
		rest, ok := cutWords(text, c)
		if !ok {
			continue
		}
		path := strings.TrimSpace(rest)
		if strings.HasPrefix(strings.ToLower(path), "help") {
			return text, nil, true
		}
		if uq, err := strconv.Unquote(path); err == nil {
			path = uq
		} else if len(path) >= 2 && (path[0] == '\'' && path[len(path)-1] == '\'') {
			path = path[1 : len(path)-1]
		}
		if path == "" {
			return text, nil, true // the bot says what is missing
		}
		data, err := ReadScript(path)
		if err != nil {
			a.say("%s: %v. Nothing was run.", c, err)
			return "", nil, false
		}
		name := filepath.Base(path)
		return c + " " + strconv.Quote(name), &bot.Upload{Name: name, Data: data}, true
	}
	return text, nil, true
}

// cutWords reports whether text starts with the command's words, in any
// case, and returns what follows them.
func cutWords(text, cmd string) (string, bool) {
	words := strings.Fields(cmd)
	rest := text
	for _, w := range words {
		rest = strings.TrimLeft(rest, " \t")
		if len(rest) < len(w) || !strings.EqualFold(rest[:len(w)], w) {
			return "", false
		}
		rest = rest[len(w):]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return "", false
		}
	}
	return rest, true
}

// ReadScript reads the screenplay at path, a regular file of at most
// 8 MB, for the console's /scene import and `icbot import script`; its
// errors name the path. A named pipe is refused, not waited on.
func ReadScript(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0) // a named pipe must not block the open
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxUpload+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %v", path, err)
	}
	if len(data) > maxUpload {
		return nil, fmt.Errorf("%s is larger than %d MB, the most icbot reads", path, maxUpload>>20)
	}
	return data, nil
}
