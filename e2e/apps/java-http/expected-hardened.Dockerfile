# Reference target for `dhard harden` (distroless level) of ./Dockerfile.
# Distroless java's ENTRYPOINT is ["/usr/bin/java", "-jar"], so
# CMD ["java", "-jar", "app.jar"] becomes CMD ["app.jar"] (kept as is, java
# would try to open a jar named "java": "Unable to access jarfile java").
# curl is dropped: nothing at run time uses it (no HEALTHCHECK).
FROM eclipse-temurin:17-jdk AS builder

WORKDIR /app

COPY src ./src

RUN mkdir -p out \
    && javac -d out $(find src -name "*.java") \
    && jar --create --file app.jar --main-class com.example.App -C out .

FROM gcr.io/distroless/java17-debian12:nonroot

WORKDIR /app
COPY --from=builder /app/app.jar /app/app.jar

EXPOSE 8080

CMD ["app.jar"]
