# FlowForm — run `make help` for the targets.
GO      ?= go
# Fuzz budgets are counts of inputs (about 10 s each on the 2-core CI box),
# not durations: with a duration Go 1.26's fuzz coordinator can fail a
# clean run with "context deadline exceeded" (golang/go#75804, fixed in 1.27).
FUZZ_PARSE  ?= 150000x
FUZZ_IMPORT ?= 75000x
FUZZ_DEFLATE ?= 20000x
FUZZ_REDACT ?= 15000x
FUZZ_API    ?= 2500x
FUZZ_GRAPH  ?= 25000x
FUZZ_LAYOUT ?= 20000x
FUZZ_DELIVER ?= 20000x
FUZZ_FAKE   ?= 10000x
BIN     := bin/flowform

.DEFAULT_GOAL := help

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: generate
generate: ## regenerate templ components (*_templ.go, committed)
	$(GO) tool templ generate

.PHONY: fmt
fmt: ## format Go and templ sources
	gofmt -w $$(git ls-files --cached --others --exclude-standard '*.go')
	$(GO) tool templ fmt .

.PHONY: lint
lint: ## go vet, staticcheck, templ formatting
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) tool templ fmt -fail .
	@test -z "$$(gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'))" || (gofmt -l $$(git ls-files --cached --others --exclude-standard '*.go'); echo 'gofmt needed'; exit 1)

.PHONY: fresh
fresh: generate ## generated code is committed: no untracked *_templ.go, and in CI none changed
	@untracked=$$(git status --porcelain --untracked-files=all -- '*_templ.go' | grep '^??' || true); \
	if [ -n "$$untracked" ]; then echo "$$untracked"; echo 'generated templ code is not tracked: git add it'; exit 1; fi
	@if [ -n "$$CI" ] && [ -n "$$(git status --porcelain --untracked-files=all -- '*_templ.go')" ]; then \
	  git status --porcelain --untracked-files=all -- '*_templ.go'; echo 'generated templ code is stale: run make generate and commit'; exit 1; fi

.PHONY: test
test: fresh lint ## the one test command: fresh generated code, linters, race tests, bounded fuzzing
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run='^TestTenThousandSavesStaySmall$$' ./internal/sqlite
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZ_PARSE) -fuzzminimizetime=2s ./internal/cron
	$(GO) test -run='^$$' -fuzz='^FuzzImport$$' -fuzztime=$(FUZZ_IMPORT) -fuzzminimizetime=2s ./internal/flowspec
	$(GO) test -run='^$$' -fuzz='^FuzzGraph$$' -fuzztime=$(FUZZ_GRAPH) -fuzzminimizetime=2s ./internal/flowspec
	$(GO) test -run='^$$' -fuzz='^FuzzLayout$$' -fuzztime=$(FUZZ_LAYOUT) -fuzzminimizetime=2s ./internal/dag
	$(GO) test -run='^$$' -fuzz='^FuzzDeliver$$' -fuzztime=$(FUZZ_DELIVER) -fuzzminimizetime=2s ./internal/flowspec
	$(GO) test -run='^$$' -fuzz='^FuzzDeflate$$' -fuzztime=$(FUZZ_DEFLATE) -fuzzminimizetime=2s ./internal/sqlite
	$(GO) test -run='^$$' -fuzz='^FuzzCreateNodeSpec$$' -fuzztime=$(FUZZ_FAKE) -fuzzminimizetime=2s ./internal/dataworks/dataworkstest
	$(GO) test -run='^$$' -fuzz='^FuzzRedact$$' -fuzztime=$(FUZZ_REDACT) -fuzzminimizetime=2s ./internal/dataworks
	$(GO) test -run='^$$' -fuzz='^FuzzAPI$$' -fuzztime=$(FUZZ_API) -fuzzminimizetime=2s ./web

.PHONY: bench
bench: ## benchmarks: hot paths and HTTP load as ratios against plain net/http
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=3s -count=1 ./internal/... ./web/... ./cmd/...

.PHONY: screenshots
screenshots: ## screenshots of every page (editor light, dark, zh-CN, nodes, plan) into artifacts/ with headless Chromium
	FLOWFORM_SCREENSHOTS=$(CURDIR)/artifacts $(GO) test -count=1 -run='^Test(Node|Delivery)?Screenshots$$' ./internal/app

.PHONY: run
run: ## run FlowForm on 127.0.0.1:8080 (embedded SQLite, sandbox without Alibaba credentials)
	$(GO) run ./cmd/flowform

.PHONY: build
build: ## build bin/flowform
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/flowform

.PHONY: clean
clean: ## remove build output
	rm -rf bin
