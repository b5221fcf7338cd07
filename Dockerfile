FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml constraints.txt README.md ./
COPY bot bot
COPY channels channels
COPY storage storage
COPY console console
COPY wiring wiring
COPY app app
COPY orgs orgs
RUN pip install --no-cache-dir -c constraints.txt . \
    && useradd --system --uid 1000 sila \
    && mkdir -p /app/var/faq-indexes && chown -R sila /app/var
USER sila
ENV SILA_HOST=0.0.0.0 SILA_PORT=8080 SILA_ORGS_DIR=/app/orgs
EXPOSE 8080
CMD ["sila", "serve"]
