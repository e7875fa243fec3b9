module example.com/go-writes-computed-path

go 1.19
