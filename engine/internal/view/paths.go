//go:build linux

package view

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// noSymlinks refuses every symlink while resolving: a path swapped for a symlink between check
// and use is an error, never followed.
const noSymlinks = unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS

// openSource opens a host path as an O_PATH handle without following any symlink. A trailing
// symlink is returned as a handle to the link itself (so the view can recreate it); a symlink
// in a parent is ELOOP.
func openSource(path string) (int, error) {
	return unix.Openat2(unix.AT_FDCWD, path, &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: noSymlinks,
	})
}

// explain turns a resolution errno into words that name the fix.
func explain(err error) error {
	switch {
	case errors.Is(err, unix.ELOOP):
		return errors.New("a parent is a symbolic link; list the real path")
	case errors.Is(err, unix.ENOENT):
		return errors.New("no such file or directory")
	case errors.Is(err, unix.EXDEV):
		return errors.New("escapes the new root")
	}
	return err
}

// openIn opens rel (no leading /) beneath dirfd without following symlinks.
func openIn(dirfd int, rel string, flags uint64) (int, error) {
	if rel == "" {
		rel = "."
	}
	return unix.Openat2(dirfd, rel, &unix.OpenHow{
		Flags:   flags | unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC,
		Resolve: noSymlinks | unix.RESOLVE_BENEATH,
	})
}

// mountpoint returns an O_PATH handle on path inside the view rooted at rootfd, creating missing
// components (directories, and the last one as a directory or an empty file). created lists the
// directories it made, outermost first. Symlinks anywhere on the way are refused.
func mountpoint(rootfd int, path string, dir bool) (fd int, created []string, err error) {
	rel := strings.TrimPrefix(path, "/")
	if fd, err = openIn(rootfd, rel, 0); err == nil || !errors.Is(err, unix.ENOENT) {
		return fd, nil, err
	}
	cur, err := unix.Dup(rootfd)
	if err != nil {
		return -1, nil, err
	}
	parts := strings.Split(rel, "/")
	walked := ""
	for i, part := range parts {
		last := i == len(parts)-1
		walked += "/" + part
		next, err := openIn(cur, part, 0)
		if errors.Is(err, unix.ENOENT) {
			if !last || dir {
				err = unix.Mkdirat(cur, part, 0o755)
				if err == nil {
					created = append(created, walked)
				}
			} else {
				var f int
				f, err = unix.Openat(cur, part, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o644)
				if err == nil {
					unix.Close(f)
				}
			}
			if err == nil {
				next, err = openIn(cur, part, 0)
			}
		}
		unix.Close(cur)
		if err != nil {
			return -1, created, fmt.Errorf("%q: %w", walked, explain(err))
		}
		cur = next
	}
	return cur, created, nil
}

// procPath names an open fd so that path-based syscalls (mount(2)) act on exactly that object.
func procPath(fd int) string {
	return fmt.Sprintf("/proc/self/fd/%d", fd)
}

// sameFile reports whether two stats name the same inode.
func sameFile(a, b *unix.Stat_t) bool {
	return a.Dev == b.Dev && a.Ino == b.Ino
}
