module astsize
go 1.22
