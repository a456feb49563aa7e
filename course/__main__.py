from course.cli import main

# Guarded: Dask's local worker processes are spawned and import the main module again.
if __name__ == "__main__":
    raise SystemExit(main())
