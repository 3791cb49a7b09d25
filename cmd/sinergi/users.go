package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/sinergi-id/sinergi/internal/account"
)

const usersUsage = `usage:
  sinergi users create --name NAME --role viewer|editor|admin [--scope 64.02[,64.03]] [--display-name "DPMD Kukar"]
  sinergi users list
  sinergi users disable <name>
  sinergi users enable <name>
  sinergi users passwd <name>
The password is read from the terminal (asked twice), or from the first line of
standard input when it is not a terminal; never from the command line.`

// runUsers is `sinergi users …`: local accounts for the console's
// sign-in, managed by whoever has a shell on the server (the first admin
// is made this way).
func runUsers(ctx context.Context, cfg Config, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return errors.New(usersUsage)
	}
	a, err := openApp(ctx, cfg, log, schemaRequire)
	if err != nil {
		return err
	}
	defer a.close(ctx)
	return usersCommand(ctx, a.accounts, os.Stdin, os.Stdout, cliActor(), args)
}

// readPassword reads a password from the terminal (without echo, asked
// twice) or from the first line of in.
func readPassword(in io.Reader, prompt io.Writer) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(prompt, "password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		fmt.Fprint(prompt, "again: ")
		second, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(prompt)
		if err != nil {
			return "", err
		}
		if string(first) != string(second) {
			return "", errors.New("the two passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(io.LimitReader(in, account.MaxPasswordLength+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

func usersCommand(ctx context.Context, users *account.Service, in io.Reader, out io.Writer, actor string, args []string) error {
	switch args[0] {
	case "create":
		fs := flag.NewFlagSet("users create", flag.ContinueOnError)
		name := fs.String("name", "", "what the person types to sign in, e.g. dpmd.kukar")
		display := fs.String("display-name", "", "how the console names them, e.g. \"DPMD Kukar\" (default: the name)")
		role := fs.String("role", "", "viewer, editor or admin")
		scope := fs.String("scope", "", "an editor's region codes, comma-separated (64.02 or 64.02,64.03)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected arguments %q (the password is never given on the command line)\n%s", fs.Args(), usersUsage)
		}
		r, err := account.ParseRole(*role)
		if err != nil {
			return err
		}
		scopes, err := account.ParseScopes(splitList(*scope))
		if err != nil {
			return err
		}
		password, err := readPassword(in, os.Stderr)
		if err != nil {
			return err
		}
		u, err := users.CreateUser(ctx, actor, account.NewUser{Name: *name, DisplayName: *display, Role: r, Scopes: scopes, Password: password})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "account %s created (%s", u.Name, u.Role)
		if len(u.Scopes) > 0 {
			fmt.Fprintf(out, ", scope %s", (&account.Principal{Role: u.Role, Scopes: u.Scopes}).ScopeText())
		}
		fmt.Fprintln(out, ")")
		return nil
	case "list":
		list, err := users.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tDISPLAY NAME\tROLE\tSCOPE\tSTATUS\tCREATED\tCREATED BY")
		for _, u := range list {
			scope, status := "-", "active"
			if len(u.Scopes) > 0 {
				scope = (&account.Principal{Role: u.Role, Scopes: u.Scopes}).ScopeText()
			}
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.Name, u.DisplayName, u.Role, scope, status,
				u.CreatedAt.Format(time.RFC3339), u.CreatedBy)
		}
		return tw.Flush()
	case "disable", "enable":
		if len(args) != 2 {
			return errors.New(usersUsage)
		}
		if _, err := users.SetUserDisabled(ctx, actor, args[1], args[0] == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(out, "account %s %sd\n", args[1], args[0])
		return nil
	case "passwd":
		if len(args) != 2 {
			return errors.New(usersUsage)
		}
		password, err := readPassword(in, os.Stderr)
		if err != nil {
			return err
		}
		if _, err := users.SetUserPassword(ctx, actor, args[1], password); err != nil {
			return err
		}
		fmt.Fprintf(out, "password of %s changed; its sessions have ended\n", args[1])
		return nil
	}
	return fmt.Errorf("unknown users command %q\n%s", args[0], usersUsage)
}

// splitList reads a comma-separated list, skipping blanks.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
