from setuptools import Extension, setup

setup(
    name="zcrc",
    version="1.0.0",
    description="CRC-32 through zlib (C extension)",
    ext_modules=[Extension("zcrc", sources=["zcrc.c"], libraries=["z"])],
)
