// Command icbot-funcs reports the longest functions of the module and
// those with the highest cyclomatic complexity, test files left out, so
// that a change's effect on function size can be shown with one command:
//
//	go run ./cmd/icbot-funcs            # the ten of each, from the module root
//	go run ./cmd/icbot-funcs -n 3 bot   # three of each, in bot/ only
//
// Complexity is counted as gocyclo does: one, plus one for each if, for,
// range, non-default case of a switch or select, && and ||.
package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// fn is one function or method and its figures.
type fn struct {
	name  string // file.go:Recv.Name
	lines int
	cyclo int
}

func main() {
	n := flag.Int("n", 10, "how many functions to list in each table")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: icbot-funcs [-n N] [DIR ...]   (default DIR: .)")
		flag.PrintDefaults()
	}
	flag.Parse()
	dirs := flag.Args()
	if len(dirs) == 0 {
		dirs = []string{"."}
	}
	var all []fn
	for _, d := range dirs {
		fs, err := scan(d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "icbot-funcs:", err)
			os.Exit(1)
		}
		all = append(all, fs...)
	}
	report(os.Stdout, all, *n)
}

// scan reads every non-test Go file below dir, skipping testdata and
// hidden folders.
func scan(dir string) ([]fn, error) {
	var out []fn
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			out = append(out, fn{
				name:  path + ":" + funcName(fd),
				lines: fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1,
				cyclo: complexity(fd),
			})
		}
		return nil
	})
	return out, err
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if ix, ok := t.(*ast.IndexExpr); ok {
		t = ix.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// complexity counts the decision points of a function, closures included.
func complexity(fd *ast.FuncDecl) int {
	c := 1
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			c++
		case *ast.CaseClause:
			if n.List != nil {
				c++
			}
		case *ast.CommClause:
			if n.Comm != nil {
				c++
			}
		case *ast.BinaryExpr:
			if n.Op == token.LAND || n.Op == token.LOR {
				c++
			}
		}
		return true
	})
	return c
}

func report(w io.Writer, all []fn, n int) {
	fmt.Fprintf(w, "%d functions\n", len(all))
	table := func(title string, less func(a, b fn) bool) {
		sort.SliceStable(all, func(i, j int) bool { return less(all[i], all[j]) })
		fmt.Fprintf(w, "\n%s\n", title)
		for i := 0; i < n && i < len(all); i++ {
			fmt.Fprintf(w, "%5d lines  complexity %3d  %s\n", all[i].lines, all[i].cyclo, all[i].name)
		}
	}
	table("longest", func(a, b fn) bool { return a.lines > b.lines || a.lines == b.lines && a.name < b.name })
	table("most complex", func(a, b fn) bool { return a.cyclo > b.cyclo || a.cyclo == b.cyclo && a.name < b.name })
}
