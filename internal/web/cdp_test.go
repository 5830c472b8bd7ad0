package web

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// browser is a headless Chromium driven over the DevTools protocol
// (https://chromedevtools.github.io/devtools-protocol/), for what a DOM dump
// cannot show: layout. The page forbids scripts (CSP); Runtime.evaluate
// runs in DevTools' context, which the page's CSP does not govern.
type browser struct {
	t  *testing.T
	ws *websocket.Conn
	id int
}

var devtoolsURL = regexp.MustCompile(`DevTools listening on (ws://\S+)`)

// startBrowser starts Chromium with a debugging port and attaches to its
// first tab; both end with the test.
func startBrowser(t *testing.T, bin string) *browser {
	t.Helper()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
		"--remote-debugging-port=0", "--remote-allow-origins=*", "--user-data-dir=" + profileDir(t), "about:blank"}
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.WaitDelay = 5 * time.Second
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := devtoolsURL.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	var wsURL string
	defer func() {
		if wsURL == "" {
			return
		}
		// Registered after t.TempDir's cleanup, so it runs before it:
		// Chromium closes its profile before the folder is removed.
		t.Cleanup(func() { closeBrowser(wsURL, cmd, exited) })
	}()
	go func() { _ = cmd.Wait(); close(exited) }()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("chromium exited without a DevTools endpoint")
		}
		wsURL = u
	case <-time.After(30 * time.Second):
		t.Fatal("chromium printed no DevTools endpoint within 30s")
	}
	// ws://127.0.0.1:PORT/devtools/browser/ID: the tab list is at /json/list.
	host := strings.TrimPrefix(wsURL, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	resp, err := http.Get("http://" + host + "/json/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var targets []struct {
		Type string `json:"type"`
		WS   string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Type == "page" {
			ws, err := websocket.Dial(tg.WS, "", "http://"+host+"/")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ws.Close() })
			return &browser{t: t, ws: ws}
		}
	}
	t.Fatalf("no page target in %+v", targets)
	return nil
}

// profileDir is a folder for Chromium's profile, removed at cleanup once
// Chromium's helper processes, which outlive the browser by a moment, have
// stopped writing to it (t.TempDir would fail the test on "directory not
// empty").
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "kernelwire-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			err := os.RemoveAll(dir)
			if err == nil || time.Now().After(deadline) {
				if err != nil {
					t.Logf("leaving %s: %v", dir, err)
				}
				return
			}
		}
	})
	return dir
}

// closeBrowser asks Chromium to quit (Browser.close, on the browser's own
// endpoint), so that it stops its helper processes and writes its profile
// out; it is killed if it has not exited within 10 s.
func closeBrowser(wsURL string, cmd *exec.Cmd, exited chan struct{}) {
	if ws, err := websocket.Dial(wsURL, "", "http://127.0.0.1/"); err == nil {
		_ = websocket.JSON.Send(ws, map[string]any{"id": 1, "method": "Browser.close"})
		ws.Close()
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// call sends one command and returns its result, skipping the events that
// arrive meanwhile.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.id++
	if err := websocket.JSON.Send(b.ws, map[string]any{"id": b.id, "method": method, "params": params}); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	_ = b.ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(b.ws, &msg); err != nil {
			b.t.Fatalf("%s: %v", method, err)
		}
		if msg.ID != b.id {
			continue
		}
		if msg.Error != nil {
			b.t.Fatalf("%s: %s", method, msg.Error.Message)
		}
		return msg.Result
	}
}

// eval evaluates a JavaScript expression in the page and decodes its value
// into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	raw := b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err := json.Unmarshal(raw, &res); err != nil {
		b.t.Fatal(err)
	}
	if res.Exception != nil {
		b.t.Fatalf("evaluate %s: %s", expr, res.Exception.Text)
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		b.t.Fatalf("evaluate %s: %v (%s)", expr, err, res.Result.Value)
	}
}

// load opens url in a viewport of width x height CSS pixels and waits until
// it has loaded.
func (b *browser) load(url string, width, height int) {
	b.t.Helper()
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
	})
	b.call("Page.navigate", map[string]any{"url": url})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var state, href string
		b.eval("document.readyState", &state)
		b.eval("location.href", &href)
		if state == "complete" && href == url {
			return
		}
	}
	b.t.Fatalf("%s did not load within 30s", url)
}

// brokenCells lists the table cells whose text takes more lines than it
// has words: words broken inside, letter by letter in a squeezed column.
const brokenCells = `(() => {
  const bad = [];
  for (const cell of document.querySelectorAll("table th, table td")) {
    if (cell.offsetParent === null) continue; // hidden (the phone layout)
    const words = cell.innerText.trim().split(/\s+/).filter(Boolean).length;
    if (words === 0) continue;
    const r = document.createRange();
    r.selectNodeContents(cell);
    const lines = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size;
    if (lines > words) bad.push(cell.innerText.trim().slice(0, 40) + ": " + lines + " lines, " + words + " words");
  }
  return bad;
})()`

// checkLayout checks the page at url in one viewport: no table cell breaks
// its words, and nothing is wider than the viewport.
func checkLayout(t *testing.T, b *browser, url string, width, height int) {
	t.Helper()
	b.load(url, width, height)
	var bad []string
	b.eval(brokenCells, &bad)
	for _, c := range bad {
		t.Errorf("%s at %dpx: table cell breaks words: %s", url, width, c)
	}
	var scroll int
	b.eval("document.documentElement.scrollWidth", &scroll)
	if scroll > width {
		t.Errorf("%s at %dpx: the page is %dpx wide, wider than the viewport", url, width, scroll)
	}
}
