"""Every type, field, argument and enum value of the API says what it is."""

from __future__ import annotations

import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from graph_api.service.schema import build_schema
from graph_api.settings import Settings


def undescribed(schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []
    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not type_.description:
            missing.append(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(type_, GraphQLEnumType):
            missing.extend(
                f"{name}.{v}" for v, value in type_.values.items() if not value.description
            )
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    schema = build_schema(Settings())._schema
    assert undescribed(schema) == []
    assert "JSON" not in schema.type_map  # typed objects only
    assert {"Date", "DateTime"} <= set(schema.type_map)


def test_the_walk_reports_what_lacks_a_description() -> None:
    @strawberry.type(description="described")
    class Query:
        @strawberry.field
        def bare(self, first: int = 1) -> int:
            return first

    found = undescribed(strawberry.Schema(query=Query)._schema)
    assert found == ["Query.bare", "Query.bare(first)"]
