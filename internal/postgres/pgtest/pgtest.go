// Package pgtest gives tests a throwaway PostgreSQL database.
//
// Start returns the URL of a fresh, empty database, dropped when the test
// ends. With FLOWFORM_TEST_POSTGRES set to the URL of an existing server,
// the databases are created there. Otherwise the test binary starts one
// private cluster of its own, the first time Start is called: initdb into
// a temporary folder, then postgres listening on a free port of
// 127.0.0.1 and on a Unix socket in that folder, with fsync on. Nothing
// is installed as a service and no fixed port is used.
//
// Cleaning up: a test binary that uses Start should have
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// which stops the cluster (a fast shutdown, as pg_ctl stop -m fast) and
// removes its folder after the tests. Should the binary die first (a
// panic, a timeout, a kill), postgres still goes: it is started with a
// parent-death signal, so only the temporary folder is left behind.
//
// As root (CI), initdb and postgres refuse to run, so they are run as the
// user nobody through setpriv, with the folder chowned to it. Missing
// PostgreSQL binaries fail the test: it is never skipped.
package pgtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding an existing server's URL.
const EnvURL = "FLOWFORM_TEST_POSTGRES"

// binDirs are searched, after PATH, for initdb and postgres.
var binDirs = []string{"/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/14/bin"}

var (
	once    sync.Once
	shared  *cluster
	sharedE error
)

// cluster is the private server of this test binary.
type cluster struct {
	dir  string // holds data/ and the socket
	port int
	cmd  *exec.Cmd
	done chan struct{}
	log  *bytes.Buffer
}

// Start returns the URL of a new empty database, dropped at the end of t.
func Start(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvURL)
	if admin == "" {
		once.Do(func() { shared, sharedE = startCluster() })
		if sharedE != nil {
			t.Fatalf("pgtest: %v", sharedE)
		}
		admin = shared.url("postgres")
	}
	name := "t_" + strings.ToLower(rand.Text())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		// FORCE: a store the test forgot to close must not keep it.
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop %s: %v", name, err)
		}
	})
	return withDatabase(admin, name)
}

// Main runs the tests and then stops the private cluster, if one was
// started, and removes its folder.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		if err := shared.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// withDatabase replaces the database of a URL or key/value string.
func withDatabase(conn, name string) string {
	if u, err := url.Parse(conn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + name
		return u.String()
	}
	return conn + " dbname=" + name
}

// redact hides a password in a URL for messages.
func redact(conn string) string {
	if u, err := url.Parse(conn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return "the server in " + EnvURL
}

func (c *cluster) url(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// SocketDir is the folder of the private cluster's Unix socket ("" when
// the databases are on the server of FLOWFORM_TEST_POSTGRES, or before
// the first Start).
func SocketDir() string {
	if shared == nil {
		return ""
	}
	return shared.dir
}

// Port is the private cluster's port (0 as for SocketDir).
func Port() int {
	if shared == nil {
		return 0
	}
	return shared.port
}

func findBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, d := range binDirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no %s in PATH or %s: install postgresql (apt-get install -y postgresql)", name, strings.Join(binDirs, ", "))
}

// command runs bin as an unprivileged user when we are root, and dies
// with the test binary either way.
func command(bin string, args ...string) *exec.Cmd {
	if os.Geteuid() != 0 {
		cmd := exec.Command(bin, args...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
		return cmd
	}
	// setpriv sets the parent-death signal after dropping privileges
	// (changing credentials clears one set before).
	return exec.Command("setpriv", append([]string{"--reuid=65534", "--regid=65534", "--clear-groups", "--pdeathsig=INT", "--", bin}, args...)...)
}

func startCluster() (*cluster, error) {
	initdb, err := findBin("initdb")
	if err != nil {
		return nil, err
	}
	postgres, err := findBin("postgres")
	if err != nil {
		return nil, err
	}
	// Under /tmp rather than TMPDIR: the socket path must stay short, and
	// nobody must be able to reach the folder.
	dir, err := os.MkdirTemp("/tmp", "flowform-pg-")
	if err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		if err := os.Chown(dir, 65534, 65534); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	// --no-sync: only the bootstrap; the server itself runs with fsync on.
	if out, err := command(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	var lastErr error
	for range 3 { // the free port may be taken before postgres binds it
		c := &cluster{dir: dir, log: &bytes.Buffer{}, done: make(chan struct{})}
		if c.port, err = freePort(); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		c.cmd = command(postgres, "-D", data, "-p", strconv.Itoa(c.port), "-c", "listen_addresses=127.0.0.1",
			"-c", "unix_socket_directories="+dir, "-c", "fsync=on", "-c", "max_connections=200")
		c.cmd.Stdout, c.cmd.Stderr = c.log, c.log
		if err := c.cmd.Start(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("postgres: %v", err)
		}
		go func() { c.cmd.Wait(); close(c.done) }()
		if lastErr = c.ready(); lastErr == nil {
			return c, nil
		}
		c.kill()
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

// ready waits until the server accepts connections.
func (c *cluster) ready() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, c.url("postgres"))
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited: %s", c.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not start in time: %v\n%s", err, c.log)
		}
	}
}

func (c *cluster) kill() {
	c.cmd.Process.Kill()
	<-c.done
}

// stop shuts the server down fast (SIGINT, like pg_ctl stop -m fast) and
// removes its folder.
func (c *cluster) stop() error {
	var err error
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		err = errors.New("postgres did not stop in 30s; killed")
		c.kill()
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
