package web

import (
	"go/parser"
	"go/token"
	"os/exec"
)

func runShell(script string) (string, error) {
	out, err := exec.Command("sh", "-c", script).Output()
	return string(out), err
}

func parseGo(src string) error {
	_, err := parser.ParseFile(token.NewFileSet(), "snippet.go", src, 0)
	return err
}
