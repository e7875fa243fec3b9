module example.com/go-writes-workdir

go 1.19
