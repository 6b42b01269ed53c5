// compose-render prints a Compose file as `docker compose config --format json`
// would: loaded, validated against the Compose specification, interpolated
// (the shell's environment, then .env beside the file), anchors and merge keys
// resolved and normalised, by compose-go, the loader `docker compose` itself
// uses. scripts/compose.sh runs it where no `docker compose` plugin is
// installed (it needs no Docker engine).
//
//	go run . /path/to/docker-compose.yml > compose.json
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-render COMPOSE_FILE")
		os.Exit(2)
	}
	file, err := filepath.Abs(os.Args[1])
	if err != nil {
		fail(err)
	}
	options, err := cli.NewProjectOptions(
		[]string{file},
		cli.WithWorkingDirectory(filepath.Dir(file)),
		cli.WithOsEnv,
		cli.WithDotEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	rendered, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	if _, err := os.Stdout.Write(append(rendered, '\n')); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "compose-render: %v\n", err)
	os.Exit(1)
}
