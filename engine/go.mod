module stockade/engine

go 1.22
