"""Small inline samples, one per language and kind (tests never read benchmark data)."""

from __future__ import annotations

PYTHON = '''\
"""Cookie helpers."""

import time
from collections import OrderedDict


class CookieJar:
    """Holds cookies."""

    def __init__(self, policy=None):
        self._cookies = OrderedDict()
        self._policy = policy

    def set_cookie(self, cookie):
        self._cookies[cookie.name] = cookie

    def merge_cookies(self, other):
        for name, value in other.items():
            if name in self._cookies:
                continue
            expires = value.get("expires")
            if isinstance(expires, str):
                expires = time.mktime(time.strptime(expires, "%a, %d-%b-%Y %H:%M:%S GMT"))
            self._cookies[name] = value
        return self

    def clear(self):
        self._cookies.clear()


def parse_headers(raw):
    headers = {}
    for line in raw.splitlines():
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return headers


def format_date(ts):
    return time.strftime("%Y-%m-%d", time.gmtime(ts))
'''

JAVASCRIPT = """\
const http = require('http');
const { parse } = require('url');

function createServer(handler) {
  const server = http.createServer((req, res) => {
    const url = parse(req.url, true);
    handler(url, res);
  });
  return server;
}

class Router {
  constructor() {
    this.routes = [];
  }

  addRoute(method, path, fn) {
    this.routes.push({ method, path, fn });
  }

  dispatch(req, res) {
    for (const route of this.routes) {
      if (route.method === req.method && route.path === req.url) {
        return route.fn(req, res);
      }
    }
    res.statusCode = 404;
    res.end('not found');
  }
}

module.exports = { createServer, Router };
"""

TYPESCRIPT = """\
import { EventEmitter } from 'events';

export interface RetryOptions {
  retries: number;
  backoffMs: number;
}

export class RetryPolicy {
  private readonly options: RetryOptions;

  constructor(options: RetryOptions) {
    this.options = options;
  }

  public computeBackoff(attempt: number): number {
    const base = this.options.backoffMs;
    return base * Math.pow(2, attempt);
  }

  public shouldRetry(attempt: number, status: number): boolean {
    if (attempt >= this.options.retries) {
      return false;
    }
    return status >= 500;
  }
}

export function createEmitter(): EventEmitter {
  const emitter = new EventEmitter();
  return emitter;
}
"""

TSX = """\
import React from 'react';

interface ButtonProps {
  label: string;
  onClick: () => void;
}

export function Button(props: ButtonProps): JSX.Element {
  const { label, onClick } = props;
  return (
    <button className="btn" onClick={onClick}>
      {label}
    </button>
  );
}

export function Toolbar(): JSX.Element {
  const items: string[] = ['save', 'open'];
  return (
    <div>
      {items.map((item) => (
        <Button label={item} onClick={() => undefined} />
      ))}
    </div>
  );
}
"""

GO = """\
package router

import (
\t"net/http"
\t"strings"
)

type Engine struct {
\troutes map[string]http.HandlerFunc
\tprefix string
}

func New() *Engine {
\treturn &Engine{routes: map[string]http.HandlerFunc{}}
}

func (e *Engine) Handle(path string, h http.HandlerFunc) {
\tkey := strings.TrimSuffix(e.prefix+path, "/")
\te.routes[key] = h
}

func (e *Engine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
\th, ok := e.routes[r.URL.Path]
\tif !ok {
\t\thttp.NotFound(w, r)
\t\treturn
\t}
\th(w, r)
}
"""

RUST = """\
use std::collections::HashMap;
use std::path::Path;

pub struct Walker {
    ignore: Vec<String>,
    depth: usize,
}

impl Walker {
    pub fn new(depth: usize) -> Self {
        Walker { ignore: Vec::new(), depth }
    }

    pub fn add_ignore(&mut self, pattern: &str) {
        self.ignore.push(pattern.to_string());
    }

    pub fn is_ignored(&self, path: &Path) -> bool {
        let name = path.to_string_lossy();
        self.ignore.iter().any(|p| name.contains(p.as_str()))
    }
}

fn count_extensions(paths: &[&Path]) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for p in paths {
        if let Some(ext) = p.extension() {
            *counts.entry(ext.to_string_lossy().to_string()).or_insert(0) += 1;
        }
    }
    counts
}
"""

JAVA = """\
package retrofit;

import java.util.List;
import java.util.concurrent.Executor;

public class RestAdapter {
  private final Executor executor;
  private final List<String> converters;

  public RestAdapter(Executor executor, List<String> converters) {
    this.executor = executor;
    this.converters = converters;
  }

  public Object convertBody(int status, byte[] body) {
    if (status == 204 || status == 205) {
      return null;
    }
    return converters.get(0) + new String(body);
  }

  private void log(String message) {
    System.out.println(message);
  }
}
"""

RUBY = """\
module Shop
  class Cart
    def initialize
      @items = []
    end

    def add_item(item, quantity)
      @items << [item, quantity]
    end

    def total_price
      @items.sum do |item, quantity|
        item.price * quantity
      end
    end
  end
end
"""

JAVA_LOG = """\
2024-01-02 10:00:00,001 INFO  [main] app.Server - starting server on port 8080
2024-01-02 10:00:00,120 INFO  [main] app.Server - loaded 12 routes
2024-01-02 10:00:01,500 ERROR [worker-3] app.Handler - request failed
java.lang.NullPointerException: user is null
\tat app.Handler.handle(Handler.java:42)
\tat app.Server.dispatch(Server.java:88)
Caused by: java.io.IOException: connection reset
\tat app.Db.query(Db.java:17)
\t... 4 more
2024-01-02 10:00:02,000 INFO  [main] app.Server - heartbeat ok
2024-01-02 10:00:03,000 INFO  [main] app.Server - shutting down
"""

PY_TRACEBACK_LOG = """\
2024-01-02 10:00:00 INFO worker started
2024-01-02 10:00:01 ERROR job 17 crashed
Traceback (most recent call last):
  File "/srv/app/jobs.py", line 10, in run
    result = compute(x)
  File "/srv/app/jobs.py", line 4, in compute
    return 1 / x
ZeroDivisionError: division by zero
2024-01-02 10:00:02 INFO worker idle
"""

MARKDOWN = """\
# Project

Intro paragraph about the project and what it does for users.

## Installation

Install with pip:

```bash
pip install project
pip install project[extra]
```

## Configuration

The configuration file lives in the home directory.

| key | default | meaning |
| --- | ------- | ------- |
| timeout | 30 | request timeout in seconds |
| retries | 3 | how many retries |

### Proxy settings

Set the proxy with the PROXY variable; authentication uses the proxy_auth key.

## Changelog

Version 1.0 released.
"""


def topics(ks: range) -> list[str]:
    """Filler sections ``## Topic k`` of five background lines each."""
    out: list[str] = []
    for k in ks:
        out += [f"## Topic {k}", ""]
        out += [f"Background paragraph {j} about topic {k}: releases and owners." for j in range(5)]
        out += [""]
    return out


def stray_line_doc() -> tuple[list[str], int, int]:
    """A "see also" line that names every goal word scores highest of all lines; the section whose
    heading and body name the goal is elsewhere. Returns the lines and that section's ``[start, end)``."""
    lines = ["# Acme CLI", "", "The Acme CLI manages deployments.", "", *topics(range(10))]
    lines += ["## Troubleshooting", "", "Deployments that hang are usually a network problem."]
    lines += ["See also: a proxy timeout for slow uploads.", "", *topics(range(10, 14))]
    start = len(lines)
    lines += ["## Proxy timeouts", "", "How long the CLI waits on the proxy before it gives up.", ""]
    lines += [f"Step {j}: the command waits, then stops with exit code {j}." for j in range(14)]
    lines += ["Slow uploads need a longer wait.", ""]
    end = len(lines)
    return [*lines, *topics(range(14, 20))], start, end


def flat_changelog() -> list[str]:
    """Release notes where the debugger comes up in every part, no part standing out (modelled on
    IDLE's ChangeLog). The two biggest parts, each about a third of the text, are titled
    "ChangeLog": a generic word of the goal "changes to the debugger" that no heading should win by.
    """
    files = ("editor", "shell", "browser", "colorizer", "config", "search", "history", "paths")
    lines: list[str] = []
    for title, entries, mentions in (
        ("IDLEfork ChangeLog", 70, 7),
        ("Original ChangeLog", 65, 5),
        ("Release 0.3", 15, 4),
        ("Release 0.2", 30, 13),
    ):
        lines += [f"# {title}", ""]
        every = entries / mentions
        for j in range(entries):
            name = "debugger" if int(j / every) != int((j + 1) / every) else files[j % len(files)]
            entry = f"  * {name}.py: merge number {j} from the {title}."
            lines += [f"2001-07-{j % 28 + 1:02d}  kbk", "", entry, ""]
    return lines
