// The runtime's fork hooks (fork.go) are declared without bodies; the linker takes them from
// the runtime. A package with body-less declarations needs an assembly file, even an empty one.
