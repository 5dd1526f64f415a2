/// `/api/openapi.json`: the read-only API, described for clients and tools.
enum OpenAPIDocument {
  static let text = """
    {
      "openapi": "3.0.3",
      "info": {
        "title": "orchestrate serve",
        "version": "1",
        "description": "Read-only view of a root's metrics and logs. Every endpoint answers GET (and HEAD); anything else is 405. With a token, send Authorization: Bearer TOKEN or ?token=TOKEN."
      },
      "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
          "Error": {"type": "string"},
          "RunListEntry": {
            "type": "object",
            "required": ["run_id", "status", "started_at"],
            "properties": {
              "run_id": {"type": "string", "example": "run_20261122_020000_4121"},
              "status": {"type": "string", "enum": ["running", "completed", "partial", "failed", "cancelled", "abandoned"]},
              "started_at": {"type": "string", "format": "date-time"},
              "duration_seconds": {"type": "number"}
            }
          },
          "RunList": {
            "type": "object",
            "required": ["generated_at", "root", "matching", "runs", "unreadable_files"],
            "properties": {
              "generated_at": {"type": "string", "format": "date-time"},
              "root": {"type": "string"},
              "since": {"type": "string", "format": "date-time"},
              "until": {"type": "string", "format": "date-time"},
              "limit": {"type": "integer"},
              "matching": {"type": "integer", "description": "runs that matched; more than runs holds when the limit cut the list"},
              "runs": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["run_id", "pipeline", "status", "started_at", "tasks_total", "tasks_failed", "trigger"],
                  "properties": {
                    "run_id": {"type": "string"},
                    "pipeline": {"type": "string"},
                    "environment": {"type": "string"},
                    "status": {"type": "string"},
                    "started_at": {"type": "string", "format": "date-time"},
                    "duration_seconds": {"type": "number"},
                    "tasks_total": {"type": "integer"},
                    "tasks_failed": {"type": "integer"},
                    "trigger": {"type": "string", "enum": ["scheduled", "manual", "rerun"]},
                    "rerun_of": {"type": "string"}
                  }
                }
              },
              "unreadable_files": {"type": "array", "items": {"type": "object", "properties": {"path": {"type": "string"}, "reason": {"type": "string"}}}}
            }
          }
        }
      },
      "security": [{}, {"bearer": []}],
      "paths": {
        "/api/status": {
          "get": {
            "summary": "The document orchestrate status --json prints",
            "parameters": [{"name": "environment", "in": "query", "required": false, "schema": {"type": "string"}, "description": "Only this environment's runs are judged (also on the pages: /?environment=prod)"}],
            "responses": {"200": {"description": "status report", "content": {"application/json": {"schema": {"type": "object"}}}}}
          }
        },
        "/api/pipelines/{name}/runs": {
          "get": {
            "summary": "A pipeline's newest runs, newest first",
            "parameters": [
              {"name": "name", "in": "path", "required": true, "schema": {"type": "string"}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}
            ],
            "responses": {
              "200": {"description": "runs", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/RunListEntry"}}}}},
              "404": {"description": "no such pipeline", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/api/runs": {
          "get": {
            "summary": "Runs of every pipeline, newest first, filtered: the document orchestrate runs --json prints (docs/runs.schema.json)",
            "parameters": [
              {"name": "pipeline", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}, "style": "form", "explode": true, "description": "Only these pipelines (repeatable or comma-separated)"},
              {"name": "status", "in": "query", "schema": {"type": "array", "items": {"type": "string", "enum": ["running", "completed", "partial", "failed", "cancelled", "abandoned", "refused"]}}, "style": "form", "explode": true, "description": "Only runs with these statuses (repeatable or comma-separated)"},
              {"name": "environment", "in": "query", "schema": {"type": "string"}},
              {"name": "since", "in": "query", "schema": {"type": "string"}, "description": "Started at or after: a date (2026-11-20, the server's local day), a time (2026-11-20T02:00:00Z) or a duration back from now (14d, 36h)"},
              {"name": "until", "in": "query", "schema": {"type": "string"}, "description": "Started before: as since; a date means the end of that day"},
              {"name": "trigger", "in": "query", "schema": {"type": "string", "enum": ["scheduled", "manual", "rerun"]}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 100000, "default": 20}, "description": "0: every matching run"}
            ],
            "responses": {
              "200": {"description": "runs", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RunList"}}}},
              "400": {"description": "a refused filter value, named", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "404": {"description": "no such pipeline", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/api/runs/{run_id}": {
          "get": {
            "summary": "A run record (docs/run-record.schema.json)",
            "parameters": [{"name": "run_id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {
              "200": {"description": "the record", "content": {"application/json": {"schema": {"type": "object"}}}},
              "404": {"description": "no such run", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}},
              "422": {"description": "the record file is damaged", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        },
        "/api/runs/{run_id}/logs/{task}": {
          "get": {
            "summary": "A task's log, as orchestrate logs prints it (also from archives)",
            "parameters": [
              {"name": "run_id", "in": "path", "required": true, "schema": {"type": "string"}},
              {"name": "task", "in": "path", "required": true, "schema": {"type": "string"}},
              {"name": "attempt", "in": "query", "schema": {"type": "integer", "minimum": 1}}
            ],
            "responses": {
              "200": {"description": "the log", "content": {"text/plain": {"schema": {"type": "string"}}}},
              "404": {"description": "no such run, task or attempt", "content": {"text/plain": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
          }
        }
      }
    }
    """
}
