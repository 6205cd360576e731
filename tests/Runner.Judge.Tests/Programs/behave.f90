program behave
  implicit none
  character(len=64) :: line
  character(len=16) :: cmd
  integer(8) :: a, b, n
  integer, volatile :: z
  real(8), allocatable :: big(:)
  read(*, '(A)') line
  read(line, *) cmd
  select case (trim(cmd))
  case ('sum')
    read(line, *) cmd, a, b
    print '(I0)', a + b
  case ('spin')
    n = 0
    do
      n = n + 1
      if (n < 0) exit
    end do
  case ('alloc')
    allocate(big(200000000_8))
    big = 1.0d0
    print *, big(1)
  case ('div')
    z = 0 ! volatile: the division happens at run time, not in the optimiser
    print *, (z + 5) / z ! not 1 / z: gfortran computes that without dividing
  case ('throw')
    error stop 'boom'
  case ('exit3')
    stop 3
  case ('flood')
    do
      print '(A)', 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'
    end do
  case default
    stop 11
  end select
end program behave
