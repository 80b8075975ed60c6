package kit

import (
	"fmt"
	"strings"

	"github.com/flowform/flowform/internal/draft"
)

// maxArg is the longest single argument Linux passes to a program
// (MAX_ARG_STRLEN, 32 pages of 4 KiB); a longer one fails with "Argument
// list too long".
const maxArg = 128 << 10

// CLI returns a POSIX sh script that makes the calls in order with the
// official aliyun CLI (aliyun dataworks-public <Action> --region …
// --ProjectId … …). The Id answered to a call with Captures is kept in a
// shell variable of that name, and a later argument's placeholder of it
// becomes that variable; the script stops at the first call that fails,
// answers without the Id it needs, or answers Success=false. It names no
// --version: the official CLI refuses any version its metadata does not
// list ("unchecked version"), which has never listed dataworks-public, and
// it already defaults to 2024-05-18 and POST.
func CLI(region, projectID string, calls []draft.KitCall) string {
	var b strings.Builder
	b.WriteString(`#!/bin/sh
# The delivery FlowForm planned, as aliyun CLI calls: run them in this
# order, once. Needs the aliyun CLI with credentials (aliyun configure).
# It stops at the first call that fails; the calls before it are done in
# DataWorks, so do not run the whole script again.
set -eu

# flowform_id prints the Id of a DataWorks answer, a string or a number
# (with sed, not jq: a fresh machine may lack jq).
flowform_id() {
	printf '%s\n' "$1" | sed -n 's/.*"Id": *"\{0,1\}\([0-9][0-9]*\)"\{0,1\}.*/\1/p' | head -n 1
}

# flowform_fail stops the script with a message on stderr.
flowform_fail() {
	printf '%s\n' "$1" >&2
	exit 1
}
`)
	var known []string
	for i, c := range calls {
		name := label(i, len(calls), c)
		fmt.Fprintf(&b, "\n# %s\n", name)
		for _, p := range params(c) {
			if len(p.value) > maxArg-len("--") {
				fmt.Fprintf(&b, "# Its %s is %d bytes: Linux refuses an argument over %d bytes. Write it to a\n"+
					"# file and pass --%s-FILE <file> instead, or use the Go program.\n", p.key, len(p.value), maxArg, p.key)
			}
		}
		// The answer is kept before it is read: in VAR=$(aliyun … | sed …)
		// a failed call would be hidden behind sed's success.
		fmt.Fprintf(&b, "flowform_answer=$(aliyun dataworks-public %s --region %s \\\n  --ProjectId %s", shellWord(c.Action, nil), shellWord(region, nil), shellWord(projectID, nil))
		for _, p := range params(c) {
			fmt.Fprintf(&b, " \\\n  --%s %s", p.key, shellWord(p.value, known))
		}
		fmt.Fprintf(&b, ") ||\n  flowform_fail %s\n", shellWord(name+": the call failed (the CLI said why above); nothing after it was sent", nil))
		b.WriteString("printf '%s\\n' \"$flowform_answer\"\n")
		if c.Captures != "" {
			v := shellVar(c.Captures)
			fmt.Fprintf(&b, "%s=$(flowform_id \"$flowform_answer\")\n", v)
			fmt.Fprintf(&b, "[ -n \"$%s\" ] || flowform_fail %s\n", v, shellWord(name+": DataWorks answered without an Id; nothing after it was sent", nil))
			known = append(known, c.Captures)
		} else {
			fmt.Fprintf(&b, "case $flowform_answer in *'\"Success\": false'*) flowform_fail %s ;; esac\n",
				shellWord(name+": DataWorks answered Success=false, the call was not applied; nothing after it was sent", nil))
		}
	}
	b.WriteString("\necho 'All calls answered.'\n")
	return b.String()
}

// shellWord quotes v as one shell word: literal text in single quotes,
// inside which nothing is special, each single quote itself as \' between
// them, and each placeholder of a known variable as "$VAR".
func shellWord(v string, known []string) string {
	if v == "" {
		return "''"
	}
	if plain(v) {
		return v // an action, a region, a Scene: easier to read unquoted
	}
	var b strings.Builder
	for _, p := range pieces(v, known) {
		if p.name != "" {
			b.WriteString(`"$` + shellVar(p.name) + `"`)
			continue
		}
		for i, run := range strings.Split(p.text, "'") {
			if i > 0 {
				b.WriteString(`\'`)
			}
			if run != "" {
				b.WriteString("'" + run + "'")
			}
		}
	}
	return b.String()
}

// plain reports whether v is letters, digits, '_', and '-' or '.' after
// the first, which no shell treats specially.
func plain(v string) bool {
	for i, c := range []byte(v) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && (c == '-' || c == '.')) {
			return false
		}
	}
	return true
}

// shellVar is the shell variable holding a captured Id: the capture's
// name ("WORKFLOW_ID", "NODE_3") with any character a shell name cannot
// hold made '_'.
func shellVar(name string) string {
	b := []byte(name)
	for i, c := range b {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	if len(b) == 0 {
		return "_"
	}
	return string(b)
}
