package main

// Tests that keep the deployment files (Dockerfile, deploy/) true to the
// code: every variable the binary reads is documented, the documented
// defaults are the real ones, and the stop and health timeouts fit the
// process's own. They read the files as text: no YAML dependency for a
// handful of checks.

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// repoFile reads a file of the repository; tests run in cmd/secours.
func repoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(path)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// envRead matches the variables the code reads: getenv("X"),
// os.Getenv("X"), os.LookupEnv("X"), and the local env("X", default)
// helpers of parseConfig and referralFlags.
var envRead = regexp.MustCompile(`\b(?:[gG]etenv|LookupEnv|env)\("([A-Z][A-Z0-9_]*)"`)

// codeEnvVars lists the variables read by the non-test sources of this
// package: the binary that deploy/ runs (cmd/loadtest is a developer's
// tool and has no place in a server's configuration).
func codeEnvVars(t *testing.T) map[string][]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string][]string{} // name → files that read it
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range envRead.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(vars[m[1]], f) {
				vars[m[1]] = append(vars[m[1]], f)
			}
		}
	}
	if len(vars) < 10 {
		t.Fatalf("found only %d variables in the sources: is envRead still right?", len(vars))
	}
	return vars
}

// envLine is one NAME=value line of secours.env.example.
type envLine struct {
	name, value string
	commented   bool // "#NAME=value": the default, shown
	line        int
}

var envAssign = regexp.MustCompile(`^([A-Z][A-Z0-9_]*)=(.*)$`)

// parseEnvExample reads NAME=value and #NAME=value lines, and fails a
// variable with no explaining comment above it (a group of variables may
// share one).
func parseEnvExample(t *testing.T, text string) []envLine {
	t.Helper()
	var vars []envLine
	explained := false // a prose comment stands above, with no blank line between
	for i, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		body, commented := strings.CutPrefix(line, "#")
		if m := envAssign.FindStringSubmatch(strings.TrimSpace(body)); m != nil {
			if !commented && body != line {
				t.Errorf("secours.env.example:%d: spaces around a variable", i+1)
			}
			if !explained {
				t.Errorf("secours.env.example:%d: %s has no comment saying what it is", i+1, m[1])
			}
			vars = append(vars, envLine{name: m[1], value: m[2], commented: commented, line: i + 1})
			continue
		}
		explained = commented || (explained && line != "")
		if line == "" {
			explained = false
		}
	}
	return vars
}

func TestDeployEnvExampleMatchesCode(t *testing.T) {
	code := codeEnvVars(t)
	doc := parseEnvExample(t, repoFile(t, "deploy/secours.env.example"))
	seen := map[string]int{}
	for _, v := range doc {
		if prev, ok := seen[v.name]; ok {
			t.Errorf("secours.env.example:%d: %s again (first on line %d)", v.line, v.name, prev)
		}
		seen[v.name] = v.line
		if _, ok := code[v.name]; !ok {
			t.Errorf("secours.env.example:%d: %s is not read by cmd/secours", v.line, v.name)
		}
	}
	for name, files := range code {
		if _, ok := seen[name]; !ok {
			t.Errorf("%s (read in %s) is missing from deploy/secours.env.example", name, strings.Join(files, ", "))
		}
	}
}

// TestDeployEnvExampleValues: secrets are empty, the defaults shown are
// the real ones, and the file as shipped is a valid configuration.
func TestDeployEnvExampleValues(t *testing.T) {
	doc := parseEnvExample(t, repoFile(t, "deploy/secours.env.example"))
	secrets := []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "SMTP_URL", "OBSERVATORY_TOKEN_SHA256", "CSRF_SECRET",
		"WHATSAPP_CLOUD_TOKEN", "WHATSAPP_CLOUD_APP_SECRET"}
	var help bytes.Buffer
	if code := run([]string{"-h"}, strings.NewReader(""), io.Discard, &help, envOf(nil)); code != 0 {
		t.Fatalf("secours -h: exit %d", code)
	}
	defaults := map[string]string{}
	for _, m := range regexp.MustCompile(`\[([A-Z][A-Z0-9_]*)\] \(default "([^"]*)"\)`).FindAllStringSubmatch(help.String(), -1) {
		defaults[m[1]] = m[2]
	}
	if len(defaults) < 5 {
		t.Fatalf("found %d defaults in secours -h: has its format changed?", len(defaults))
	}
	shipped, all := map[string]string{}, map[string]string{}
	for _, v := range doc {
		if slices.Contains(secrets, v.name) && v.value != "" {
			t.Errorf("secours.env.example:%d: the secret %s has a value", v.line, v.name)
		}
		if strings.Contains(v.value, "@") {
			t.Errorf("secours.env.example:%d: %s holds credentials", v.line, v.name)
		}
		if def, ok := defaults[v.name]; ok && v.commented && v.value != def {
			t.Errorf("secours.env.example:%d: shows %s=%s as the default; the code's is %q", v.line, v.name, v.value, def)
		}
		if !v.commented {
			shipped[v.name] = v.value
		}
		all[v.name] = v.value
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{{"as shipped", shipped}, {"every default uncommented", all}} {
		if _, err := parseConfig(nil, envOf(tc.env), io.Discard); err != nil {
			t.Errorf("secours.env.example %s: %v", tc.name, err)
		}
	}
}

// yamlSection returns the lines nested under the key path (by
// indentation), enough to look inside one service of compose.yaml.
func yamlSection(lines []string, keys ...string) []string {
	for _, key := range keys {
		var out []string
		indent := -1
		for _, l := range lines {
			trimmed := strings.TrimSpace(l)
			ind := len(l) - len(strings.TrimLeft(l, " "))
			switch {
			case indent < 0 && (trimmed == key+":" || strings.HasPrefix(trimmed, key+": ")):
				indent = ind
			case indent >= 0 && trimmed != "" && !strings.HasPrefix(trimmed, "#") && ind <= indent:
				indent = -2 // the section ended
			case indent >= 0:
				out = append(out, l)
			}
		}
		lines = out
	}
	return lines
}

// yamlValue is the value of "key: value" among lines, or "".
func yamlValue(lines []string, key string) string {
	for _, l := range lines {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), key+":"); ok {
			return strings.Trim(strings.TrimSpace(v), `"'`)
		}
	}
	return ""
}

func TestDeployCompose(t *testing.T) {
	text := repoFile(t, "deploy/compose.yaml")
	lines := strings.Split(text, "\n")
	bot := strings.Join(yamlSection(lines, "services", "secours"), "\n")
	redis := strings.Join(yamlSection(lines, "services", "redis"), "\n")
	if bot == "" || redis == "" {
		t.Fatal("compose.yaml: services secours and redis not found")
	}
	for _, c := range []struct{ where, text, want string }{
		{"secours", bot, "env_file: secours.env"},
		{"secours", bot, `test: ["CMD", "/secours", "healthcheck"]`},
		{"secours", bot, "restart: unless-stopped"},
		{"secours", bot, "secours-data:/data"},
		{"secours", bot, `"127.0.0.1:8080:8080"`},
		{"redis", redis, "image: redis:7"},
		{"redis", redis, `"--appendonly", "yes"`},
		{"redis", redis, `"--appendfsync", "everysec"`},
		{"redis", redis, `"--maxmemory-policy", "noeviction"`},
		{"redis", redis, `test: ["CMD", "redis-cli", "ping"]`},
		{"redis", redis, "restart: unless-stopped"},
		{"redis", redis, "redis-data:/data"},
		{"secours", bot, "condition: service_healthy"}, // it waits for a healthy Redis
	} {
		if !strings.Contains(c.text, c.want) {
			t.Errorf("compose.yaml, service %s: no %s", c.where, c.want)
		}
	}
	if strings.Contains(redis, "ports:") {
		t.Error("compose.yaml: Redis has no password and must publish no port")
	}
	// Settings and secrets come from secours.env only.
	for _, no := range []string{"environment:", "TOKEN", "SECRET", "SMTP_URL", "requirepass", "PASSWORD"} {
		if strings.Contains(text, no) {
			t.Errorf("compose.yaml mentions %q: settings and secrets belong in secours.env", no)
		}
	}
	grace, err := time.ParseDuration(yamlValue(strings.Split(bot, "\n"), "stop_grace_period"))
	if err != nil || grace <= drainLimit {
		t.Errorf("compose.yaml: secours stop_grace_period = %v (%v), want more than the drain limit %s", grace, err, drainLimit)
	}
	timeout, err := time.ParseDuration(yamlValue(yamlSection(strings.Split(bot, "\n"), "healthcheck"), "timeout"))
	if err != nil || timeout <= healthTimeout {
		t.Errorf("compose.yaml: healthcheck timeout = %v (%v), want more than the probe's %s", timeout, err, healthTimeout)
	}
}

func TestDeployDockerfile(t *testing.T) {
	// Continuation lines joined: one instruction per line.
	text := strings.ReplaceAll(repoFile(t, "Dockerfile"), "\\\n", " ")
	var instr []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			instr = append(instr, l)
		}
	}
	find := func(prefix string) []string {
		var out []string
		for _, l := range instr {
			if strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return out
	}
	build := strings.Join(find("RUN "), "\n")
	for _, want := range []string{"CGO_ENABLED=0", "-trimpath", "./cmd/secours"} {
		if !strings.Contains(build, want) {
			t.Errorf("Dockerfile: the build has no %s", want)
		}
	}
	from := find("FROM ")
	if len(from) < 2 || !strings.Contains(from[len(from)-1], "distroless/static") || !strings.HasSuffix(from[len(from)-1], ":nonroot") {
		t.Errorf("Dockerfile: the image is not distroless static nonroot: %q", from)
	}
	if u := find("USER "); len(u) != 1 || !strings.HasPrefix(u[0], "USER nonroot") {
		t.Errorf("Dockerfile: USER = %q, want USER nonroot", u)
	}
	for _, want := range []string{"EXPOSE 8080", `VOLUME ["/data"]`, "ENV OUTBOX_DIR=/data/outbox", `ENTRYPOINT ["/secours"]`} {
		if len(find(want)) != 1 {
			t.Errorf("Dockerfile: no %s", want)
		}
	}
	hc := find("HEALTHCHECK ")
	if len(hc) != 1 || !strings.HasSuffix(hc[0], `CMD ["/secours", "healthcheck"]`) {
		t.Fatalf("Dockerfile: HEALTHCHECK = %q, want one running /secours healthcheck (exec form: no shell)", hc)
	}
	m := regexp.MustCompile(`--timeout=(\S+)`).FindStringSubmatch(hc[0])
	if m == nil {
		t.Fatal("Dockerfile: HEALTHCHECK has no --timeout")
	}
	if d, err := time.ParseDuration(m[1]); err != nil || d <= healthTimeout {
		t.Errorf("Dockerfile: HEALTHCHECK --timeout=%s, want more than the probe's %s", m[1], healthTimeout)
	}
	for _, l := range find("LABEL ") {
		if !strings.Contains(l, "org.opencontainers.image.") {
			t.Errorf("Dockerfile: a label outside org.opencontainers.image.*: %s", l)
		}
	}

	ignore := strings.Split(repoFile(t, ".dockerignore"), "\n")
	for _, want := range []string{".git", "**/*.env", "**/*.db", "**/outbox", "**/share-*", "**/*.test"} {
		if !slices.Contains(ignore, want) {
			t.Errorf(".dockerignore: no %s", want)
		}
	}
}

func TestDeploySystemdUnit(t *testing.T) {
	settings := map[string][]string{}
	for l := range strings.SplitSeq(repoFile(t, "deploy/secours.service"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok && !strings.HasPrefix(k, "#") {
			settings[k] = append(settings[k], v)
		}
	}
	for k, want := range map[string]string{
		"DynamicUser":             "yes",
		"StateDirectory":          "secours",
		"EnvironmentFile":         "/etc/secours/secours.env",
		"NoNewPrivileges":         "yes",
		"ProtectSystem":           "strict",
		"ProtectHome":             "yes",
		"PrivateTmp":              "yes",
		"RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
		"CapabilityBoundingSet":   "",
		"SystemCallFilter":        "@system-service",
		"Restart":                 "on-failure",
	} {
		if !slices.Contains(settings[k], want) {
			t.Errorf("secours.service: %s=%v, want %q", k, settings[k], want)
		}
	}
	if exec := settings["ExecStart"]; len(exec) != 1 || strings.Contains(exec[0], "-telegram") || strings.Contains(exec[0], "TOKEN") {
		t.Errorf("secours.service: ExecStart=%q: secrets come from EnvironmentFile, never the command line", exec)
	}
	stop := settings["TimeoutStopSec"]
	if len(stop) != 1 {
		t.Fatalf("secours.service: TimeoutStopSec=%q", stop)
	}
	if d, err := time.ParseDuration(stop[0]); err != nil || d <= drainLimit {
		t.Errorf("secours.service: TimeoutStopSec=%s, want a duration above the drain limit %s", stop[0], drainLimit)
	}
}

func TestDeployRedisConf(t *testing.T) {
	conf := map[string]string{}
	for l := range strings.SplitSeq(repoFile(t, "deploy/redis.conf"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), " "); ok && !strings.HasPrefix(k, "#") {
			conf[k] = v
		}
	}
	for k, want := range map[string]string{
		"appendonly":       "yes",
		"appendfsync":      "everysec",
		"maxmemory-policy": "noeviction",
		"protected-mode":   "yes",
		"bind":             "127.0.0.1 -::1",
	} {
		if conf[k] != want {
			t.Errorf("redis.conf: %s %q, want %q", k, conf[k], want)
		}
	}
}

// TestDeployBackupScript checks the script's syntax, and runs shellcheck
// where it is installed (apt-get install shellcheck).
func TestDeployBackupScript(t *testing.T) {
	path := filepath.Join("..", "..", "deploy", "backup.sh")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&0o111 == 0 {
		t.Error("deploy/backup.sh is not executable")
	}
	if out, err := exec.Command("bash", "-n", path).CombinedOutput(); err != nil {
		t.Errorf("bash -n deploy/backup.sh: %v\n%s", err, out)
	}
	shellcheck(t, path)
}
